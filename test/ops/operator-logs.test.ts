/**
 * Logs an operator can trust: expected refusals at warn without a stack, a refused ESL password named as such, no
 * warning when the service stops on purpose, the dialplan context at start, and a caller-id warning at save.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { FakeSwitch } from '../../fake-switch/server';
import { harness, LOG_LINES, minimal } from '../support/harness';
import { pollUntil } from '../support/poll';
import { startService, stopService, tokenFor } from '../support/service-process';

type Line = Record<string, unknown>;
const linesSince = (from: number): Line[] => LOG_LINES.slice(from).map((l) => JSON.parse(l) as Line);
const jsonLines = (output: string): Line[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

describe('logs an operator can trust', function () {
  this.timeout(20_000);

  describe('in process', () => {
    it('when a connect is refused with 503 switch_unavailable, then it is logged at warn with its code and no stack', async () => {
      const h = harness();
      const a = await h.account();
      const id = (
        await h.http.put(`/v2/accounts/${a.id}/clicktocall`).set('X-Auth-Token', a.token).send(minimal())
      ).body.data.id as string;
      const from = LOG_LINES.length;
      // This request's lines only (by its request id): what an earlier test left running cannot mix in.
      const requestId = `logs-503-${a.id}`;
      const res = await h.http
        .get(`/v2/accounts/${a.id}/clicktocall/${id}/connect?contact=2601`)
        .set('X-Auth-Token', a.token)
        .set('X-Request-ID', requestId);
      expect(res.status).to.equal(503);
      const mine = linesSince(from).filter((l) => l['request_id'] === requestId);
      const refusals = mine.filter((l) => l['message'] === 'request refused');
      expect(refusals).to.have.length(1);
      expect(refusals[0]).to.include({ level: 'warn', status: 503, code: 'switch_unavailable' });
      expect(JSON.stringify(refusals[0])).to.not.match(/stack|at .*\.js:/);
      expect(mine.some((l) => l['level'] === 'error')).to.equal(false);
    });

    it('when a configuration is saved without outbound_callee_id_number, then one warning says the contact will see the extension; with one, none', async () => {
      const h = harness();
      const a = await h.account();
      const url = `/v2/accounts/${a.id}/clicktocall`;
      const warnings = (from: number, id: string): Line[] =>
        linesSince(from).filter((l) => l['level'] === 'warn' && l['clicktocall_id'] === id);

      let from = LOG_LINES.length;
      const id = (await h.http.put(url).set('X-Auth-Token', a.token).send(minimal())).body.data.id as string;
      expect(warnings(from, id)).to.have.length(1);
      expect(warnings(from, id)[0]).to.include({ account_id: a.id, extension: '2600' });
      expect(String(warnings(from, id)[0]?.['message'])).to.match(/caller id.*outbound_callee_id_number/);

      from = LOG_LINES.length;
      await h.http
        .patch(`${url}/${id}`)
        .set('X-Auth-Token', a.token)
        .send({ data: { outbound_callee_id_number: '+15559990000' } })
        .expect(200);
      expect(warnings(from, id)).to.have.length(0);

      from = LOG_LINES.length;
      await h.http.post(`${url}/${id}`).set('X-Auth-Token', a.token).send(minimal()).expect(200);
      expect(warnings(from, id)).to.have.length(1);
    });
  });

  describe('the service process', () => {
    let dir: string;
    let fake: FakeSwitch | undefined;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-logs-'));
    });
    afterEach(async () => {
      await fake?.stop();
      fake = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('when it starts, then the listening line names the switch and the dialplan context, and the context is checked on the switch', async () => {
      fake = new FakeSwitch({ dialplanContexts: ['default'] });
      const { port } = await fake.start();
      const svc = await startService({
        DB_PATH: path.join(dir, 'c2c.db'),
        ESL_PORT: String(port),
        DIALPLAN_CONTEXT: 'clicktocall',
      });
      try {
        await pollUntil('the context check', () => svc.output().includes('dialplan context'));
        const lines = jsonLines(svc.output());
        expect(lines.find((l) => l['message'] === 'listening')).to.include({
          dialplan_context: 'clicktocall',
          switches: `default=127.0.0.1:${port}`,
        });
        const check = lines.filter((l) => String(l['message']).startsWith('dialplan context'));
        expect(check).to.have.length(1);
        expect(check[0]).to.include({ level: 'warn', context: 'clicktocall' });
        expect(String(check[0]?.['message'])).to.include('not found');
        expect(fake.commands).to.include('api xml_locate dialplan context name clicktocall');
      } finally {
        expect(await stopService(svc.child)).to.equal(0);
      }
    });

    it('when the context exists, then it says so at info', async () => {
      fake = new FakeSwitch();
      const { port } = await fake.start();
      const svc = await startService({ DB_PATH: path.join(dir, 'c2c.db'), ESL_PORT: String(port) });
      try {
        await pollUntil('the context check', () => svc.output().includes('dialplan context'));
        const check = jsonLines(svc.output()).filter((l) =>
          String(l['message']).startsWith('dialplan context'),
        );
        expect(check.map((l) => [l['level'], l['message']])).to.deep.equal([
          ['info', 'dialplan context found on the switch'],
        ]);
      } finally {
        expect(await stopService(svc.child)).to.equal(0);
      }
    });

    it('when it stops after the switch came back, then no "not reachable" warning is written at shutdown', async () => {
      fake = new FakeSwitch();
      const { port } = await fake.start();
      const svc = await startService({ DB_PATH: path.join(dir, 'c2c.db'), ESL_PORT: String(port) });
      await tokenFor(svc.base, svc.apiKey ?? '');
      await pollUntil('connected', () => svc.output().includes('esl connected'));
      await fake.stop();
      await pollUntil('the outage', () => svc.output().includes('FreeSWITCH is not reachable'));
      await fake.start();
      await pollUntil('the recovery', () => svc.output().includes('FreeSWITCH is reachable again'), {
        timeoutMs: 10_000,
      });
      expect(await stopService(svc.child)).to.equal(0);
      const afterStop = svc.output().slice(svc.output().indexOf('"message":"stopping"'));
      expect(afterStop).to.include('esl client closed');
      expect(afterStop).to.not.include('not reachable');
      expect(svc.output().match(/not reachable/g)).to.have.length(1);
    });
  });
});
