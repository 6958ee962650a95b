/**
 * modesl 1.2.1 (an independent ESL client) against the fake switch: a cross-check of the fake's wire
 * format, and the check that modesl still works with the npm `overrides` of its dependencies
 * (`uuid`, `xml2js`). Only code paths that do not call `require('uuid').v4()` without a Job-UUID are
 * needed by anyone; `bgapi` with an explicit jobid is exercised here.
 */
import { expect } from 'chai';
import { Connection, type Event } from 'modesl';
import { FakeSwitch } from '../../fake-switch/server';

describe('modesl 1.2.1 against the fake switch', function () {
  this.timeout(10_000);
  let fake: FakeSwitch;
  let conn: Connection | undefined;

  afterEach(async () => {
    conn?.removeAllListeners();
    conn?.socket?.destroy();
    conn = undefined;
    await fake.stop();
  });

  it('when modesl connects, then it authenticates, runs api, and gets the BACKGROUND_JOB of its bgapi', async () => {
    fake = new FakeSwitch({ password: 'ClueCon' });
    const { port } = await fake.start();
    const c = new Connection('127.0.0.1', port, 'ClueCon');
    conn = c;
    c.on('error', () => undefined);
    await new Promise<void>((resolve) => c.once('esl::ready', () => resolve()));
    const status = await new Promise<Event>((resolve) => c.api('status', resolve));
    expect(status.getBody()).to.match(/^UP /);
    await new Promise<Event>((resolve) => c.events('plain', ['BACKGROUND_JOB'], resolve));
    const job = await new Promise<Event>((resolve) =>
      c.bgapi('version', '', '22222222-3333-4444-5555-666666666666', resolve),
    );
    expect(job.getHeader('Job-UUID')).to.equal('22222222-3333-4444-5555-666666666666');
    expect(job.getBody()).to.equal('FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');
    // modesl subscribes by itself after auth (json) and appends CHANNEL_EXECUTE_COMPLETE to every list.
    expect(fake.commands).to.deep.equal([
      'auth [redacted]',
      'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
      'api status',
      'event plain BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
      'bgapi version ', // modesl appends a blank
    ]);
  });
});
