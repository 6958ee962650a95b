import { expect } from 'chai';
import {
  Subscription,
  apiResponseFrame,
  authRequestFrame,
  commandReplyFrame,
  disconnectNoticeFrame,
  eventPlainFrame,
  fsUrlEncode,
  hupallReply,
  showChannels,
  statusText,
  CommandReader,
} from '../../fake-switch/wire';
import { percentDecode } from '../../esl';
import {
  plainCaptureFiles,
  readWire,
  received,
  splitEventBody,
  splitMessage,
} from '../support/capture-reader';

function contentType(msg: Buffer): string | undefined {
  return splitMessage(msg).headers.find(([k]) => k === 'Content-Type')?.[1];
}

function decodedEvent(msg: Buffer): { headers: Array<[string, string]>; body?: string } {
  const raw = splitEventBody(splitMessage(msg).body);
  return {
    headers: raw.headers.map(([k, v]) => [k, percentDecode(v)]),
    ...(raw.inner ? { body: raw.inner.toString('utf8') } : {}),
  };
}

describe('fake switch wire format, byte for byte against the captures', () => {
  const g2 = readWire('g2-event-list-and-filters.plain.txt');
  const g2recv = g2.filter((r) => r.kind === 'recv').map((r) => r.bytes);

  it('when a client connects, then auth/request is exactly what FreeSWITCH sends (g2)', () => {
    expect(authRequestFrame().equals(g2recv[0] as Buffer)).to.equal(true);
  });

  it('when replies are built, then +OK accepted, -ERR invalid, +OK bye and the notice match (g1, g2)', () => {
    expect(commandReplyFrame('+OK accepted').equals(g2recv[1] as Buffer)).to.equal(true);
    const g1 = received('g1-auth-wrong-password.plain.txt');
    expect(commandReplyFrame('-ERR invalid').equals(g1[1] as Buffer)).to.equal(true);
    expect(disconnectNoticeFrame().equals(g1[2] as Buffer)).to.equal(true);
    expect(commandReplyFrame('+OK bye').equals(g2recv[g2recv.length - 2] as Buffer)).to.equal(true);
    expect(disconnectNoticeFrame().equals(g2recv[g2recv.length - 1] as Buffer)).to.equal(true);
  });

  it('when g2 is replayed into a Subscription, then every event/filter/nixevent/noevents reply is byte-exact', () => {
    const sub = new Subscription();
    let checked = 0;
    for (let i = 0; i < g2.length; i++) {
      const rec = g2[i];
      if (rec?.kind !== 'sent') continue;
      const line = rec.bytes.toString('utf8').split('\n')[0] ?? '';
      const reply = g2
        .slice(i + 1)
        .find((r) => r.kind === 'recv' && contentType(r.bytes) === 'command/reply');
      let text: string | undefined;
      if (line.startsWith('event ')) text = sub.event(line.slice(6));
      else if (line === 'filter') text = '-ERR command not found';
      else if (line.startsWith('filter ')) text = sub.filter(line.slice(7));
      else if (line.startsWith('nixevent ')) text = sub.nixevent(line.slice(9));
      else if (line === 'noevents') text = sub.noevents();
      if (text === undefined) continue;
      expect(commandReplyFrame(text).toString('latin1'), line).to.equal(reply?.bytes.toString('latin1'));
      checked += 1;
    }
    expect(checked).to.equal(10);
  });

  it('when the service subscription is replayed, then the replies match i5 byte for byte', () => {
    const i5 = readWire('i5-subscription-bowout-on-execute.plain.txt');
    const sub = new Subscription();
    const sent = i5
      .filter((r) => r.kind === 'sent')
      .map((r) => r.bytes.toString('utf8').split('\n')[0] ?? '');
    const replies = received('i5-subscription-bowout-on-execute.plain.txt').filter(
      (m) => contentType(m) === 'command/reply',
    );
    expect(commandReplyFrame(sub.event(sent[1]?.slice(6) ?? '')).equals(replies[1] as Buffer)).to.equal(true);
    for (let k = 2; k <= 4; k++) {
      expect(commandReplyFrame(sub.filter(sent[k]?.slice(7) ?? '')).equals(replies[k] as Buffer)).to.equal(
        true,
      );
    }
  });

  it('when a bgapi is accepted, then the reply with its Job-UUID header matches (g2)', () => {
    const msg = g2recv.find((m) => m.includes('+OK Job-UUID')) as Buffer;
    const id = 'e374cfba-a431-4893-8d2d-c92ba175b196';
    expect(commandReplyFrame(`+OK Job-UUID: ${id}`, [['Job-UUID', id]]).equals(msg)).to.equal(true);
  });

  it('when api replies are built, then hupall, show channels count and uuid_kill match (h8, g2, i4)', () => {
    const h8 = received('h8-reconnect-session2.plain.txt');
    const cid = 'c2c-0123456789abcdef0123456789abcdef-a1b2c3d4e5';
    const hup = h8.find((m) => m.includes('hangup all channels')) as Buffer;
    expect(apiResponseFrame(hupallReply('NORMAL_CLEARING', 'c2c_call_id', cid)).equals(hup)).to.equal(true);
    const zero = g2recv.find((m) => m.includes('0 total.')) as Buffer;
    expect(apiResponseFrame(showChannels('channels', [])).equals(zero)).to.equal(true);
    const noSuch = received('i4-after-bowout-default-hupall.plain.txt').find((m) =>
      m.includes('-ERR No such channel!'),
    ) as Buffer;
    expect(apiResponseFrame('-ERR No such channel!\n').equals(noSuch)).to.equal(true);
    expect(showChannels('channels like nothing as json', [])).to.equal('{"row_count":0}');
  });

  it('when api returns UTF-8, then Content-Length counts bytes (h7)', () => {
    const utf8 = received('h7-escaping-values.plain.txt').find((m) =>
      m.includes('\xe4\xb8\xad', 'latin1'),
    ) as Buffer;
    expect(apiResponseFrame('é ü 中').equals(utf8)).to.equal(true);
  });

  it('when status is built, then it has the lines of the captured status (a, d)', () => {
    const text = statusText(2_855, 4, 4);
    expect(text.split('\n')[0]).to.equal(
      'UP 0 years, 0 days, 0 hours, 0 minutes, 2 seconds, 855 milliseconds, 0 microseconds',
    );
    expect(text).to.contain(
      'FreeSWITCH (Version 1.10.12-release  64bit) is ready\n4 session(s) since startup\n',
    );
    expect(text.endsWith('Current Stack Size/Max 240K/8192K\n')).to.equal(true);
  });

  it('when every captured plain event is re-encoded from its decoded headers, then the bytes are identical', () => {
    let n = 0;
    for (const file of plainCaptureFiles()) {
      for (const msg of received(file)) {
        if (contentType(msg) !== 'text/event-plain') continue;
        const { headers, body } = decodedEvent(msg);
        const frame = eventPlainFrame(headers, body);
        if (!frame.equals(msg)) expect(frame.toString('latin1'), file).to.equal(msg.toString('latin1'));
        n += 1;
      }
    }
    expect(n).to.be.greaterThan(1000);
  });

  it('when values need encoding, then fsUrlEncode uses FreeSWITCH’s set and uppercase hex', () => {
    expect(fsUrlEncode('Fri, 27 Nov 2026 03:54:42 GMT')).to.equal(
      'Fri,%2027%20Nov%202026%2003%3A54%3A42%20GMT',
    );
    expect(fsUrlEncode("'Click To Call'(x)/~$")).to.equal("'Click%20To%20Call'(x)/~$");
    expect(fsUrlEncode('é\n+@')).to.equal('%C3%A9%0A%2B%40');
  });
});

describe('fake switch subscription and filter rules (mod_event_socket)', () => {
  const i5sub = (): Subscription => {
    const sub = new Subscription();
    sub.event(
      'plain CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB CUSTOM loopback::bowout',
    );
    sub.filter('variable_c2c_call_id /^c2c-/');
    sub.filter('Event-Name BACKGROUND_JOB');
    sub.filter('Event-Subclass loopback::bowout');
    return sub;
  };

  it('when the i5 captures are replayed, then every event FreeSWITCH delivered passes the same rules', () => {
    for (const file of [
      'i5-subscription-bowout-on-execute.plain.txt',
      'i5-subscription-ext-first-rtp.plain.txt',
    ]) {
      const sub = i5sub();
      const events = received(file).filter((m) => contentType(m) === 'text/event-plain');
      expect(events.length).to.be.greaterThan(20);
      for (const msg of events) expect(sub.passes(decodedEvent(msg).headers), file).to.equal(true);
    }
  });

  it('when an event plain ALL capture is replayed through the service subscription, then only what FreeSWITCH would deliver passes', () => {
    const sub = i5sub();
    const all = received('i1-ext-first-rtp-contact-sends-bye.plain.txt')
      .filter((m) => contentType(m) === 'text/event-plain')
      .map((m) => decodedEvent(m).headers);
    const passed = all.filter((h) => sub.passes(h));
    const names = new Set(passed.map((h) => h.find(([k]) => k === 'Event-Name')?.[1]));
    expect([...names].sort()).to.deep.equal(
      [
        'BACKGROUND_JOB',
        'CHANNEL_ANSWER',
        'CHANNEL_BRIDGE',
        'CHANNEL_CREATE',
        'CHANNEL_HANGUP_COMPLETE',
        'CHANNEL_PROGRESS',
        'CHANNEL_UNBRIDGE',
      ].sort(),
    );
    expect(all.length).to.be.greaterThan(passed.length * 3);
    const creates = all.filter((h) => h.some(([k, v]) => k === 'Event-Name' && v === 'CHANNEL_CREATE'));
    expect(
      passed.filter((h) => h.some(([k, v]) => k === 'Event-Name' && v === 'CHANNEL_CREATE')),
    ).to.have.length(creates.length);
  });

  it('when filters are exact, negative, or regex with flags, then they behave as in mod_event_socket', () => {
    const ev = (name: string, extra: Array<[string, string]> = []): Array<[string, string]> => [
      ['Event-Name', name],
      ...extra,
    ];
    const sub = new Subscription();
    sub.event('plain ALL');
    expect(sub.passes(ev('HEARTBEAT'))).to.equal(true);
    sub.filter('variable_c2c_call_id C2C-ABC');
    expect(sub.passes(ev('CHANNEL_CREATE', [['variable_c2c_call_id', 'c2c-abc']]))).to.equal(true);
    expect(sub.passes(ev('CHANNEL_CREATE'))).to.equal(false);
    sub.filter('Unique-ID -bad');
    expect(
      sub.passes(
        ev('CHANNEL_CREATE', [
          ['variable_c2c_call_id', 'c2c-abc'],
          ['Unique-ID', 'bad'],
        ]),
      ),
    ).to.equal(false);
    const re = new Subscription();
    re.event('plain CHANNEL_CREATE');
    re.filter('variable_c2c_call_id /^zzz-/');
    expect(re.passes(ev('CHANNEL_CREATE', [['variable_c2c_call_id', 'c2c-1']]))).to.equal(false);
    re.filter('variable_c2c_call_id /^C2C-/i');
    expect(re.passes(ev('CHANNEL_CREATE', [['variable_c2c_call_id', 'c2c-1']]))).to.equal(true);
    expect(re.passes(ev('CHANNEL_ANSWER', [['variable_c2c_call_id', 'c2c-1']]))).to.equal(false);
    expect(re.filter('delete all')).to.equal('+OK filter deleted. [all][]');
    expect(re.passes(ev('CHANNEL_CREATE'))).to.equal(true);
  });

  it('when CUSTOM is subscribed with a subclass, then only that subclass passes', () => {
    const sub = new Subscription();
    sub.event('plain CHANNEL_CREATE CUSTOM loopback::bowout');
    expect(
      sub.passes([
        ['Event-Subclass', 'loopback::bowout'],
        ['Event-Name', 'CUSTOM'],
      ]),
    ).to.equal(true);
    expect(
      sub.passes([
        ['Event-Subclass', 'loopback::direct'],
        ['Event-Name', 'CUSTOM'],
      ]),
    ).to.equal(false);
    expect(sub.passes([['Event-Name', 'CHANNEL_ANSWER']])).to.equal(false);
  });
});

describe('fake switch command reader', () => {
  it('when commands arrive split and with headers, then each block is read whole, cut at CR', () => {
    const reader = new CommandReader();
    const wire = Buffer.from('bgapi status\nJob-UUID: abc\n\napi echo a\rb\n\n');
    const out = [];
    for (const b of wire) out.push(...reader.push(Buffer.from([b])));
    expect(out.map((c) => c.line)).to.deep.equal(['bgapi status', 'api echo a']);
    expect(out[0]?.headers).to.deep.equal([['Job-UUID', 'abc']]);
  });
});
