import { expect } from 'chai';
import {
  DEFAULT_PARSER_LIMITS,
  EslParser,
  EslProtocolError,
  frameHeader,
  parsePlainEvent,
  percentDecode,
  type EslFrame,
} from '../../esl';
import { plainCaptureFiles, received, splitEventBody, splitMessage } from '../support/capture-reader';

/** Files this suite copied itself and therefore requires (others' copies are used when present). */
const REQUIRED = [
  'g1-auth-wrong-password.plain.txt',
  'g2-event-list-and-filters.plain.txt',
  'h2-filter-regex.plain.txt',
  'h2-filter-regex-nomatch.plain.txt',
  'h8-reconnect-session2.plain.txt',
];

function parseAll(chunks: Buffer[]): EslFrame[] {
  const parser = new EslParser();
  const frames: EslFrame[] = [];
  for (const c of chunks) frames.push(...parser.push(c));
  expect(parser.bufferedBytes).to.equal(0);
  return frames;
}

function sameFrame(frame: EslFrame, raw: Buffer): void {
  const { headers, body } = splitMessage(raw);
  expect(frame.headers.map(([k, v]) => [k, v])).to.deep.equal(headers);
  const cl = headers.find(([k]) => k === 'Content-Length');
  if (cl) {
    expect(frame.body?.length).to.equal(Number(cl[1]));
    expect(frame.body?.equals(body)).to.equal(true);
  } else {
    expect(frame.body).to.equal(undefined);
    expect(body.length).to.equal(0);
  }
}

/** Reference decoding, independent of the code under test. */
function referenceDecode(v: string): string | undefined {
  try {
    return decodeURIComponent(v);
  } catch {
    return undefined;
  }
}

describe('esl parser (captured FreeSWITCH 1.10.12 traffic)', () => {
  const files = plainCaptureFiles();

  it('when the fixtures are listed, then every capture this suite relies on is present', () => {
    for (const f of REQUIRED) expect(files).to.include(f);
  });

  for (const file of files) {
    it(`when ${file} is fed whole, then every message comes out as one frame, byte for byte`, () => {
      const messages = received(file);
      const frames = parseAll([Buffer.concat(messages)]);
      expect(frames).to.have.length(messages.length);
      frames.forEach((frame, i) => sameFrame(frame, messages[i] as Buffer));
    });
  }

  it('when every plain event of every capture is decoded, then names, values and bodies match the raw bytes', () => {
    let events = 0;
    let encodedValues = 0;
    for (const file of files) {
      for (const msg of received(file)) {
        const { headers, body } = splitMessage(msg);
        if (headers.find(([k]) => k === 'Content-Type')?.[1] !== 'text/event-plain') continue;
        events += 1;
        const event = parsePlainEvent(body);
        const raw = splitEventBody(body);
        expect(event.name).to.equal(
          referenceDecode(raw.headers.find(([k]) => k === 'Event-Name')?.[1] ?? ''),
        );
        const firstSeen = new Map<string, string>();
        for (const [k, v] of raw.headers)
          if (!firstSeen.has(k.toLowerCase())) firstSeen.set(k.toLowerCase(), v);
        for (const [k, v] of firstSeen) {
          const ref = referenceDecode(v);
          if (ref === undefined) continue;
          if (v.includes('%')) encodedValues += 1;
          expect(event.header(k), `${file} ${k}`).to.equal(ref);
        }
        if (raw.inner) expect(event.body).to.equal(raw.inner.toString('utf8'));
        else expect(event.body).to.equal(undefined);
      }
    }
    expect(events).to.be.greaterThan(1000);
    expect(encodedValues).to.be.greaterThan(10_000);
  });

  it('when a UTF-8 api/response is split at every byte offset, then Content-Length counts bytes (h7)', () => {
    const messages = received('h7-escaping-values.plain.txt');
    const utf8 = messages.find((m) => m.includes(Buffer.from([0xe4, 0xb8, 0xad])));
    expect(utf8, 'an api/response with é ü 中').to.not.equal(undefined);
    const stream = Buffer.concat([utf8 as Buffer, utf8 as Buffer]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const frames = parseAll([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(frames).to.have.length(2);
      expect(frames[1]?.body?.toString('utf8')).to.equal('é ü 中');
    }
  });

  it('when a sample of frames is split at every byte offset, then the frames are the same as unsplit', () => {
    const sample: Buffer[] = [];
    const g2 = received('g2-event-list-and-filters.plain.txt');
    sample.push(...g2.slice(0, 3)); // auth/request, +OK accepted, event reply
    sample.push(g2.find((m) => m.includes('Job-UUID: e374')) as Buffer); // bgapi reply with Job-UUID
    sample.push(g2.find((m) => m.includes('Event-Name: BACKGROUND_JOB')) as Buffer);
    sample.push(g2[g2.length - 1] as Buffer); // disconnect notice
    const i5 = received('i5-subscription-bowout-on-execute.plain.txt');
    sample.push(i5.find((m) => m.includes('Event-Subclass: loopback%3A%3Abowout')) as Buffer);
    const h7 = received('h7-escaping-values.plain.txt');
    sample.push(
      h7.find((m) => m.includes('%C3%A9%20%C3%BC%20%E4%B8%AD') && m.includes('text/event-plain')) as Buffer,
    );
    for (const msg of sample) {
      expect(msg).to.be.instanceOf(Buffer);
      for (let cut = 0; cut <= msg.length; cut++) {
        const frames = parseAll([msg.subarray(0, cut), msg.subarray(cut)]);
        expect(frames).to.have.length(1);
        sameFrame(frames[0] as EslFrame, msg);
      }
    }
    const all = Buffer.concat(sample);
    const byteByByte = parseAll(Array.from(all, (b) => Buffer.from([b])));
    expect(byteByByte).to.have.length(sample.length);
    byteByByte.forEach((f, i) => sameFrame(f, sample[i] as Buffer));
  });

  it('when values carry %0A and multi-byte UTF-8, then they decode to LF and the characters (h7)', () => {
    const h7 = received('h7-escaping-values.plain.txt');
    const job = h7.find((m) => m.includes('x_test%3D%C3%A9%20%C3%BC%20%E4%B8%AD')) as Buffer;
    const event = parsePlainEvent(splitMessage(job).body);
    expect(event.header('Job-Command-Arg')).to.contain('x_test=é ü 中}loopback/1000/default &park');
    const lf = h7.find((m) => m.includes('variable_x_test: line1%0Aline2')) as Buffer;
    expect(parsePlainEvent(splitMessage(lf).body).header('variable_x_test')).to.equal('line1\nline2');
  });

  it('when a CUSTOM event is decoded, then name and subclass are set and lookup is case-insensitive (i5)', () => {
    const i5 = received('i5-subscription-bowout-on-execute.plain.txt');
    const msg = i5.find((m) => m.includes('Event-Subclass: loopback%3A%3Abowout')) as Buffer;
    const event = parsePlainEvent(splitMessage(msg).body);
    expect(event.name).to.equal('CUSTOM');
    expect(event.subclass).to.equal('loopback::bowout');
    expect(event.header('resigning-uuid')).to.match(/^c2c-/);
    expect([...event.headers.keys()][0]).to.equal('Event-Subclass');
    expect(event.body).to.equal(undefined);
  });

  it('when a BACKGROUND_JOB is decoded, then its body is the inner Content-Length bytes (g2)', () => {
    const g2 = received('g2-event-list-and-filters.plain.txt');
    const msg = g2.find((m) => m.includes('Event-Name: BACKGROUND_JOB')) as Buffer;
    const event = parsePlainEvent(splitMessage(msg).body);
    expect(event.header('Job-UUID')).to.equal('e374cfba-a431-4893-8d2d-c92ba175b196');
    expect(event.body).to.equal('+OK 74e77081-1b7c-4b3a-811f-de8bb81a3fa9\n');
    expect(event.header('Content-Length')).to.equal('41');
  });

  it('when a command/reply carries Job-UUID, then the frame exposes it (g2)', () => {
    const g2 = received('g2-event-list-and-filters.plain.txt');
    const frame = parseAll([g2.find((m) => m.includes('Reply-Text: +OK Job-UUID')) as Buffer])[0] as EslFrame;
    expect(frame.contentType).to.equal('command/reply');
    expect(frameHeader(frame, 'reply-text')).to.equal('+OK Job-UUID: e374cfba-a431-4893-8d2d-c92ba175b196');
    expect(frameHeader(frame, 'Job-UUID')).to.equal('e374cfba-a431-4893-8d2d-c92ba175b196');
  });
});

describe('esl parser: protocol violations', () => {
  const violations: Array<[string, Buffer]> = [
    ['a line without a colon', Buffer.from('garbage\n\n')],
    ['no Content-Type', Buffer.from('Reply-Text: +OK\n\n')],
    ['an empty header block', Buffer.from('\n\nContent-Type: command/reply\n\n')],
    ['an absurd Content-Length', Buffer.from('Content-Type: api/response\nContent-Length: 9999999999\n\n')],
    [
      'a Content-Length over 8 MiB',
      Buffer.from(`Content-Type: api/response\nContent-Length: ${8 * 1024 * 1024 + 1}\n\n`),
    ],
    ['a non-numeric Content-Length', Buffer.from('Content-Type: api/response\nContent-Length: 12a\n\n')],
    ['a negative Content-Length', Buffer.from('Content-Type: api/response\nContent-Length: -1\n\n')],
    ['binary junk', Buffer.from([0x00, 0xff, 0x10, 0x0a, 0x0a])],
  ];
  for (const [what, bytes] of violations) {
    it(`when the peer sends ${what}, then push throws EslProtocolError and the parser stays dead`, () => {
      const parser = new EslParser();
      expect(() => parser.push(bytes)).to.throw(EslProtocolError);
      expect(() => parser.push(Buffer.from('Content-Type: auth/request\n\n'))).to.throw(EslProtocolError);
    });
  }

  it('when a header block grows past the limit without a blank line, then it is a violation', () => {
    const parser = new EslParser({ maxHeaderBytes: 1024 });
    expect(() => parser.push(Buffer.from(`Content-Type: x\nX: ${'a'.repeat(2000)}`))).to.throw(
      EslProtocolError,
    );
  });

  it('when a header block over the limit arrives whole with its blank line, in one read, then it is a violation', () => {
    const parser = new EslParser({ maxHeaderBytes: 1024 });
    expect(() => parser.push(Buffer.from(`Content-Type: x\nX: ${'a'.repeat(2000)}\n\n`))).to.throw(
      EslProtocolError,
      /header block longer than 1024/,
    );
  });

  it('when a Content-Length over the limit is announced, then it fails as soon as its line is complete: before the blank line and before any body byte', () => {
    const parser = new EslParser({ maxContentLength: 1000 });
    expect(parser.push(Buffer.from('Content-Type: text/event-plain\nContent-Len'))).to.deep.equal([]);
    expect(() => parser.push(Buffer.from('gth: 1001\n'))).to.throw(
      EslProtocolError,
      /Content-Length 1001 exceeds 1000/,
    );
    const lower = new EslParser({ maxContentLength: 1000 });
    expect(() => lower.push(Buffer.from('content-length: 5000\nContent-Type: api/response\n'))).to.throw(
      EslProtocolError,
    );
  });

  it('when a Content-Length within the limit is announced before the blank line, then nothing is thrown and the frame completes', () => {
    const parser = new EslParser({ maxContentLength: 1000 });
    expect(parser.push(Buffer.from('Content-Type: api/response\nContent-Length: 3\n'))).to.deep.equal([]);
    const [frame] = parser.push(Buffer.from('\n+OK'));
    expect(frame?.body?.toString()).to.equal('+OK');
  });

  it('when the default limits are compared with every frame of the recordings, then they are far above the largest', () => {
    let largestBody = 0;
    let largestHeader = 0;
    for (const file of plainCaptureFiles())
      for (const raw of received(file)) {
        const sep = raw.indexOf('\n\n');
        largestHeader = Math.max(largestHeader, sep);
        largestBody = Math.max(largestBody, raw.length - sep - 2);
      }
    expect(largestBody, 'largest body of the recordings').to.be.within(10_000, 20_000);
    expect(largestHeader, 'largest outer header block').to.be.within(100, 300);
    expect(DEFAULT_PARSER_LIMITS.maxContentLength).to.be.at.least(100 * largestBody);
    expect(DEFAULT_PARSER_LIMITS.maxHeaderBytes).to.be.at.least(100 * largestHeader);
  });

  it('when a good frame precedes garbage, then the good frame is not delivered after the throw', () => {
    const parser = new EslParser();
    expect(() => parser.push(Buffer.from('Content-Type: auth/request\n\nnonsense\n\n'))).to.throw(
      EslProtocolError,
    );
  });

  it('when a plain event has no Event-Name or a short inner body, then decoding throws EslProtocolError', () => {
    expect(() => parsePlainEvent(Buffer.from('Core-UUID: x\n\n'))).to.throw(EslProtocolError);
    expect(() =>
      parsePlainEvent(Buffer.from('Event-Name: BACKGROUND_JOB\nContent-Length: 10\n\n+OK\n')),
    ).to.throw(EslProtocolError);
  });
});

describe('esl percentDecode', () => {
  it('when given FreeSWITCH encodings, then it decodes like switch_url_decode and never throws', () => {
    expect(percentDecode('%3A%3A1')).to.equal('::1');
    expect(percentDecode('%2B15551234567')).to.equal('+15551234567');
    expect(percentDecode('a+b')).to.equal('a+b');
    expect(percentDecode('100%')).to.equal('100%');
    expect(percentDecode('%ZZ%4')).to.equal('%ZZ%4');
    expect(percentDecode('%c3%a9')).to.equal('é');
    expect(percentDecode('%E4%B8')).to.equal('\uFFFD');
    expect(percentDecode('line1%0Aline2%0D')).to.equal('line1\nline2\r');
  });
});
