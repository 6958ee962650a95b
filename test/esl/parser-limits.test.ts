import { expect } from 'chai';
import { EslParser, EslProtocolError } from '../../esl';

const LIMIT = 100;

/** A header block of exactly `size` bytes (without its terminating blank line), with a Content-Type. */
function headerBlock(size: number, extra = ''): string {
  const head = `Content-Type: text/plain\n${extra}X-Pad: `;
  const block = head + 'a'.repeat(size - head.length);
  expect(Buffer.byteLength(block)).to.equal(size);
  return block;
}

/** Feeds `bytes` to a parser in the given way; the frames, or the violation. */
function feed(bytes: Buffer, how: 'one chunk' | 'byte by byte' | 'two halves', limits = {}) {
  const parser = new EslParser({ maxHeaderBytes: LIMIT, maxContentLength: LIMIT, ...limits });
  const chunks =
    how === 'one chunk'
      ? [bytes]
      : how === 'two halves'
        ? [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)]
        : [...bytes].map((b) => Buffer.from([b]));
  const frames = [];
  try {
    for (const chunk of chunks) frames.push(...parser.push(chunk));
  } catch (err) {
    return { error: err as Error, frames };
  }
  return { frames };
}

const WAYS = ['one chunk', 'two halves', 'byte by byte'] as const;

describe('ESL parser: its limits at the boundary, however the bytes arrive', () => {
  for (const how of WAYS) {
    it(`when a header block is exactly at the limit (${how}), then the frame is accepted`, () => {
      const { error, frames } = feed(Buffer.from(`${headerBlock(LIMIT)}\n\n`), how);
      expect(error).to.equal(undefined);
      expect(frames).to.have.length(1);
    });

    it(`when a header block is one byte over the limit (${how}), then it is a violation`, () => {
      const { error, frames } = feed(Buffer.from(`${headerBlock(LIMIT + 1)}\n\n`), how);
      expect(error).to.be.instanceOf(EslProtocolError);
      expect(error?.message).to.match(/header block longer than 100 bytes/);
      expect(frames).to.deep.equal([]);
    });

    it(`when a frame at the header limit is followed by another (${how}), then both are accepted`, () => {
      const { error, frames } = feed(Buffer.from(`${headerBlock(LIMIT)}\n\n${headerBlock(LIMIT)}\n\n`), how);
      expect(error).to.equal(undefined);
      expect(frames).to.have.length(2);
    });

    it(`when Content-Length is exactly the limit (${how}), then the body is taken whole`, () => {
      const body = 'b'.repeat(LIMIT);
      const { error, frames } = feed(
        Buffer.from(`Content-Type: api/response\nContent-Length: ${LIMIT}\n\n${body}`),
        how,
      );
      expect(error).to.equal(undefined);
      expect(frames.map((f) => f.body?.toString())).to.deep.equal([body]);
    });

    it(`when Content-Length is one over the limit (${how}), then it is a violation before any body byte`, () => {
      const { error, frames } = feed(
        Buffer.from(`Content-Type: api/response\nContent-Length: ${LIMIT + 1}\n`),
        how,
      );
      expect(error).to.be.instanceOf(EslProtocolError);
      expect(error?.message).to.match(/Content-Length 101 exceeds 100/);
      expect(frames).to.deep.equal([]);
    });
  }

  it('when the header block is far over the limit and arrives with its blank line in one chunk, then it is a violation', () => {
    const { error } = feed(
      Buffer.from(`${headerBlock(50 * LIMIT)}\n\nContent-Type: text/plain\n\n`),
      'one chunk',
    );
    expect(error).to.be.instanceOf(EslProtocolError);
  });

  it('when a block at the limit ends in its first newline and the second comes later, then it is still accepted', () => {
    const parser = new EslParser({ maxHeaderBytes: LIMIT });
    expect(parser.push(Buffer.from(`${headerBlock(LIMIT)}\n`))).to.deep.equal([]);
    expect(parser.push(Buffer.from('\n'))).to.have.length(1);
  });

  it('when a block one over the limit is waiting for its newline, then it is refused at once, not when the newline comes', () => {
    const parser = new EslParser({ maxHeaderBytes: LIMIT });
    expect(() => parser.push(Buffer.from(headerBlock(LIMIT + 1)))).to.throw(EslProtocolError);
  });

  it('when a frame is malformed, then the violation says how (the owner logs it when it resets the link)', () => {
    const cases: Array<[string, RegExp]> = [
      ['X-Only: header\n\n', /^frame without Content-Type$/],
      ['Content-Type: api/response\nContent-Length: 1x\n\n', /^invalid Content-Length$/],
      ['Content-Type: api/response\nContent-Length:101\n', /^Content-Length 101 exceeds 100$/],
      ['\n\n', /^empty header block$/],
      ['Content-Type: x\nno colon here\n\n', /^malformed header line$/],
      ['Content-Type: x\nBad Name: y\n\n', /^malformed header name$/],
    ];
    for (const [bytes, message] of cases) {
      const { error } = feed(Buffer.from(bytes), 'one chunk');
      expect(error, JSON.stringify(bytes)).to.be.instanceOf(EslProtocolError);
      expect(error?.message, JSON.stringify(bytes)).to.match(message);
    }
  });
});
