/**
 * The reasons the code relies on live in docs/ (the product rules in our own words): every `docs/<file>.md#<anchor>`
 * a source file cites must exist, and no source file cites a document that lives beside the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SOURCES = ['src', 'esl', 'fake-switch', 'test', 'bench'];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : files(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, blanks to dashes. */
export const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchors(doc: string): Set<string> {
  const text = fs.readFileSync(path.join(ROOT, 'docs', doc), 'utf8');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] ?? '')));
}

describe('docs/: the reasons the code cites', () => {
  const sources = SOURCES.flatMap((d) => files(path.join(ROOT, d)));

  it('when a source cites docs/<file>.md#<anchor>, then that file has that heading', () => {
    const missing: string[] = [];
    let cited = 0;
    for (const file of sources) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/docs\/([a-z-]+\.md)(?:#([a-z0-9-]+))?/g)) {
        cited += 1;
        const [, doc = '', anchor] = m;
        if (!fs.existsSync(path.join(ROOT, 'docs', doc)))
          missing.push(`${path.relative(ROOT, file)}: docs/${doc}`);
        else if (anchor !== undefined && !anchors(doc).has(anchor))
          missing.push(`${path.relative(ROOT, file)}: docs/${doc}#${anchor}`);
      }
    }
    expect(cited).to.be.greaterThan(20);
    expect(missing).to.deep.equal([]);
  });

  it('when a source explains a rule, then it cites no document outside the repository', () => {
    const outside = /PRODUCT §|captures README|\.\.\/shared\/|esl-captures\//;
    const hits = sources
      .filter((f) => outside.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(ROOT, f));
    // this file names the patterns it looks for
    expect(hits.filter((f) => !f.endsWith('docs-links.test.ts'))).to.deep.equal([]);
  });

  it('when a heading is turned into an anchor, then it is as GitHub makes it', () => {
    expect(anchorOf('Hold music and presence')).to.equal('hold-music-and-presence');
    expect(anchorOf('Hang-up cause')).to.equal('hang-up-cause');
    expect(anchorOf('Caller id')).to.equal('caller-id');
  });
});
