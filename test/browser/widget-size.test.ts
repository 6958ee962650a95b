/** The widget (widget/click-to-call.js) stays small: every page that carries it downloads it. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';

const WIDGET = path.resolve(__dirname, '../../../widget/click-to-call.js');

describe('the "call me" widget file', () => {
  it('when gzipped, then it is under 5,000 bytes', () => {
    const size = zlib.gzipSync(fs.readFileSync(WIDGET)).length;
    expect(size).to.be.above(0).and.below(5_000);
  });
});
