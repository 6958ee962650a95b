import { expect } from 'chai';
import { pollUntil } from '../support/poll';
import * as net from 'node:net';
import { EslClient, EslParser, frameHeader, type EslEvent, type EslFrame } from '../../esl';
import { parseCliOptions } from '../../fake-switch/cli';
import { FakeSwitch } from '../../fake-switch/server';
import { CALL_SUBSCRIPTION } from '../../src/calls/subscription';
import { readWire } from '../support/capture-reader';

/** A raw TCP client that collects every byte the fake switch sends. */
class RawClient {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  closed = false;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
    this.socket.on('error', () => undefined);
  }

  frames(): EslFrame[] {
    return new EslParser().push(this.received);
  }
}

describe('FakeSwitch server', function () {
  this.timeout(20_000);
  let fake: FakeSwitch;
  const raws: RawClient[] = [];

  afterEach(async () => {
    for (const r of raws.splice(0)) r.socket.destroy();
    await fake.stop();
  });

  it('when g1 (wrong password) is replayed, then the bytes received equal the capture, and the socket closes', async () => {
    fake = new FakeSwitch();
    const { port } = await fake.start();
    const raw = new RawClient(port);
    raws.push(raw);
    const g1 = readWire('g1-auth-wrong-password.plain.txt');
    const expected = Buffer.concat(g1.filter((r) => r.kind === 'recv').map((r) => r.bytes));
    await pollUntil('auth/request', () => raw.received.length > 0);
    for (const r of g1.filter((x) => x.kind === 'sent')) raw.socket.write(r.bytes);
    await pollUntil('the close', () => raw.closed);
    expect(raw.received.toString('latin1')).to.equal(expected.toString('latin1'));
    expect(fake.commands).to.deep.equal(['auth [redacted]']);
  });

  it('when g2’s commands up to the originate are replayed, then every reply is byte-identical', async () => {
    fake = new FakeSwitch();
    const { port } = await fake.start();
    const raw = new RawClient(port);
    raws.push(raw);
    const g2 = readWire('g2-event-list-and-filters.plain.txt');
    const cut = g2.findIndex((r) => r.kind === 'sent' && r.bytes.toString().startsWith('bgapi'));
    const head = g2.slice(0, cut);
    const expected = Buffer.concat(head.filter((r) => r.kind === 'recv').map((r) => r.bytes));
    await pollUntil('auth/request', () => raw.received.length > 0);
    for (const r of head.filter((x) => x.kind === 'sent')) raw.socket.write(r.bytes);
    await pollUntil('all replies', () => raw.received.length >= expected.length);
    expect(raw.received.toString('latin1')).to.equal(expected.toString('latin1'));
  });

  it('when a client sends commands before auth, then FreeSWITCH’s -ERR command not found comes back', async () => {
    fake = new FakeSwitch();
    const { port } = await fake.start();
    const raw = new RawClient(port);
    raws.push(raw);
    raw.socket.write('api status\n\nexit\n\n');
    await pollUntil('two frames', () => raw.frames().length === 3);
    expect(raw.frames().map((f) => frameHeader(f, 'Reply-Text'))).to.deep.equal([
      undefined,
      '-ERR command not found',
      '-ERR command not found',
    ]);
  });

  it('when the real scenarios play a two-party call, then the job says +OK <call id> and hupall hangs every leg up', async () => {
    fake = new FakeSwitch({ speed: 20 });
    const { port } = await fake.start();
    const client = new EslClient({
      host: '127.0.0.1',
      port,
      password: 'ClueCon',
      subscription: CALL_SUBSCRIPTION,
    });
    try {
      client.start();
      await client.waitConnected(5000);
      const events: EslEvent[] = [];
      client.on('event', (e) => events.push(e));
      const id = 'c2c-1f84eadc0f374814a42c1420c3175449-e90807f274';
      const line =
        `originate {origination_uuid=${id},c2c_call_id=${id},c2c_account_id=acct1,presence_data=${id},` +
        'export_vars=c2c_call_id\\,c2c_account_id\\,presence_data,ignore_early_media=true,originate_timeout=20,' +
        'call_timeout=20,origination_caller_id_name=Web\\sLead,origination_caller_id_number=+15551234567,' +
        'origination_callee_id_name=Acme\\sSales,origination_callee_id_number=+14155550100}' +
        'loopback/1000/default 4158867900 XML default';
      const { jobUuid } = await client.bgapi(line);
      const job = await client.waitForJob(jobUuid, { timeoutMs: 5000 });
      expect(job).to.include({ ok: true, result: id });
      await pollUntil(
        'two answered SIP legs',
        () =>
          events.filter(
            (e) => e.name === 'CHANNEL_ANSWER' && !(e.header('Channel-Name') ?? '').startsWith('loopback/'),
          ).length === 2,
      );
      for (const e of events) {
        if (e.name !== 'CUSTOM') expect(e.header('variable_c2c_call_id'), e.name).to.equal(id);
      }
      const listed = JSON.parse(await client.api(`show channels like ${id} as json`)) as {
        row_count: number;
      };
      expect(listed.row_count).to.be.within(2, 4);
      expect(await client.api(`hupall NORMAL_CLEARING c2c_call_id ${id}`)).to.equal(
        `+OK hangup all channels matching [c2c_call_id]=[${id}] with cause: NORMAL_CLEARING\n`,
      );
      await pollUntil('the call to end', () => fake.activeCalls.size === 0);
      const created = new Set(
        events.filter((e) => e.name === 'CHANNEL_CREATE').map((e) => e.header('Unique-ID')),
      );
      const ended = new Set(
        events.filter((e) => e.name === 'CHANNEL_HANGUP_COMPLETE').map((e) => e.header('Unique-ID')),
      );
      expect([...created].sort()).to.deep.equal([...ended].sort());
      expect(await client.api(`show channels like ${id} as json`)).to.equal('{"row_count":0}');
    } finally {
      await client.close();
    }
  });

  it('when a command mentions mod_event_socket with unload, then every connection is cut (as FreeSWITCH does)', async () => {
    fake = new FakeSwitch();
    const { port } = await fake.start();
    const a = new RawClient(port);
    const b = new RawClient(port);
    raws.push(a, b);
    await pollUntil(
      'both connected',
      () => fake.connectionCount === 2 && a.received.length > 0 && b.received.length > 0,
    );
    a.socket.write('auth ClueCon\n\napi unload Mod_Event_Socket\n\n');
    await pollUntil('both closed', () => a.closed && b.closed);
  });
});

describe('fake-switch cli options', () => {
  it('when nothing is given, then 127.0.0.1:8021 with ClueCon at speed 1', () => {
    expect(parseCliOptions([], {})).to.deep.equal({
      host: '127.0.0.1',
      port: 8021,
      password: 'ClueCon',
      speed: 1,
    });
  });

  it('when flags and environment are both given, then flags win', () => {
    const env = { FAKE_SWITCH_PORT: '9000', FAKE_SWITCH_PASSWORD: 'fromenv' };
    expect(parseCliOptions(['--port', '9100', '--speed=20'], env)).to.deep.equal({
      host: '127.0.0.1',
      port: 9100,
      password: 'fromenv',
      speed: 20,
    });
    expect(parseCliOptions(['--password', 'p', '--host', '0.0.0.0'], env)).to.include({
      password: 'p',
      port: 9000,
    });
  });

  it('when options are invalid, then every problem is listed', () => {
    expect(() => parseCliOptions(['--port', 'x', '--speed', '0', '--bogus'], {})).to.throw(
      /unknown argument --bogus; invalid port x; invalid speed 0/,
    );
  });
});
