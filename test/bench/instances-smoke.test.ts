/**
 * The instance rows of the bench (bench/instances.ts) run end to end at smoke size against the test cluster: every
 * row present with a finite value. The figures themselves are not judged here (a shared 2-core machine).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { requirePostgres } from '../support/postgres';

const ROWS = [
  'pg_connect_1',
  'pg_connect_2',
  'pg_history_first_page',
  'pg_history_deep_page',
  'takeover_ms',
  'switch_down_errors',
];

describe('bench: instance rows (smoke)', function () {
  this.timeout(170_000);
  let url: string;

  before(async function () {
    url = await requirePostgres(this);
  });

  it('prints every row with a finite value', async () => {
    const script = path.resolve(__dirname, '..', '..', 'bench', 'instances.js');
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [script, '--smoke'],
        { env: { ...process.env, DATABASE_URL: url }, timeout: 150_000, maxBuffer: 10 * 2 ** 20 },
        (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr.slice(-3000)}`)) : resolve(stdout),
      );
    });
    for (const id of ROWS) {
      const line = out.split('\n').find((l) => l.startsWith(`| ${id} |`));
      expect(line, `row ${id} in:\n${out}`).to.be.a('string');
      const value = Number((line ?? '').split('|')[2]?.trim().split(' ')[0]);
      expect(Number.isFinite(value), `${id}: ${line ?? ''}`).to.equal(true);
    }
  });
});
