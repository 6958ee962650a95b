import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { plainCaptureFiles, readRecords } from '../support/capture-reader';

describe('capture reader', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-capture-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('when a capture is well formed, then it reads the header, notes and records with their bytes', () => {
    const file = write(
      'ok.plain.txt',
      '##ESL-CAPTURE v1 connected to 127.0.0.1:8021 at x scenario=ok format=plain\n' +
        '##ESL-CAPTURE NOTE t=0.5 CASE one\n' +
        '##ESL-CAPTURE >>> SENT t=1.25 len=6\nstatus\n' +
        '##ESL-CAPTURE <<< RECV t=1.5 len=3\na\nb\n',
    );
    expect(readRecords(file)).to.deep.equal([
      { kind: 'meta', text: '##ESL-CAPTURE v1 connected to 127.0.0.1:8021 at x scenario=ok format=plain' },
      { kind: 'note', t: 0.5, text: 'CASE one' },
      { kind: 'sent', t: 1.25, bytes: Buffer.from('status') },
      { kind: 'recv', t: 1.5, bytes: Buffer.from('a\nb') },
    ]);
  });

  it('when a length is wrong or a stray line appears, then reading fails instead of desyncing', () => {
    const short = write('short.plain.txt', '##ESL-CAPTURE <<< RECV t=1 len=2\nabc\n');
    expect(() => readRecords(short)).to.throw(/not followed by LF/);
    const stray = write('stray.plain.txt', '##ESL-CAPTURE NOTE t=1 x\nnot a marker\n');
    expect(() => readRecords(stray)).to.throw(/capture desync at byte 25/);
  });

  it('when the fixtures are listed, then every plain capture reads without a desync', () => {
    const files = plainCaptureFiles();
    expect(files.length).to.be.greaterThan(20);
    for (const f of files) expect(readRecords(f).length, f).to.be.greaterThan(2);
  });
});
