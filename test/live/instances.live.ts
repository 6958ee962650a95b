/**
 * What several service instances rely on, checked on the real switch (docs/switches.md#several-instances): the
 * outcome of an originate placed on one event socket connection reaches every other subscribed connection as a
 * `BACKGROUND_JOB` naming the call in its arguments, and a call's channel events reach them too. The instance that
 * tracks the switch reads both for a call another instance placed.
 */
import { expect } from 'chai';
import { EslClient, buildOriginate, type EslEvent } from '../../esl';
import { jobEventOf } from '../../src/calls/esl-events';
import { CALL_SUBSCRIPTION } from '../../src/calls/subscription';
import { pollUntil } from '../support/poll';
import { liveRig, type LiveRig } from './support/rig';

describe('live: two instances on one switch', function () {
  this.timeout(60_000);
  let rig: LiveRig;
  const clients: EslClient[] = [];
  before(async function () {
    this.timeout(120_000);
    rig = await liveRig();
  });
  after(() => Promise.all(clients.map((c) => c.close())));

  const connect = async (): Promise<EslClient> => {
    const c = new EslClient({
      host: '127.0.0.1',
      port: rig.sw.settings.eslPort,
      password: rig.sw.settings.password,
      subscription: CALL_SUBSCRIPTION,
    });
    clients.push(c);
    c.start();
    await c.waitConnected(10_000);
    return c;
  };

  it('when one connection originates, then another subscribed connection gets its job outcome and the call’s events', async () => {
    const placer = await connect();
    const watcher = await connect();
    const seen: EslEvent[] = [];
    watcher.on('event', (e) => seen.push(e));
    const callId = `c2c-${'ab'.repeat(16)}-${Date.now().toString(16).slice(-10).padStart(10, '0')}`;
    // The package's 2486 is a real SIP 486: the originate fails at once.
    const command = buildOriginate({
      vars: [
        ['origination_uuid', callId],
        ['c2c_call_id', callId],
        ['export_vars', ['c2c_call_id']],
      ],
      endpoint: { type: 'loopback', destination: '2486', context: 'default' },
      route: '+15552223333',
      dialplan: 'XML',
      context: 'default',
    });
    const job = await placer.bgapi(`originate ${command}`, { jobUuid: crypto.randomUUID() });
    const own = await placer.waitForJob(job.jobUuid, { timeoutMs: 20_000 });
    expect(own.ok, 'the busy extension fails the originate').to.equal(false);

    const foreign = await pollUntil('the job on the other connection', () =>
      seen.find((e) => e.name === 'BACKGROUND_JOB' && e.header('Job-UUID') === job.jobUuid),
    );
    expect(jobEventOf(foreign, () => new Date())).to.deep.include({ callId });
    expect(jobEventOf(foreign, () => new Date())?.event).to.include({
      type: 'job',
      ok: false,
      cause: 'USER_BUSY',
    });
    expect(
      seen.some((e) => e.header('variable_c2c_call_id') === callId && e.name === 'CHANNEL_HANGUP_COMPLETE'),
    ).to.be.true;
  });
});
