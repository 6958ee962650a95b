import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { startCheckpointer } from '../../src/store/sqlite/checkpointer';
import { integrityCheck, openDatabase, type Db } from '../../src/store/sqlite/database';
import { openSqliteStore } from '../../src/store/sqlite/store';
import { pollUntil } from '../support/poll';

/** WAL checkpoints on a thread of their own (docs/storage.md#checkpoints). */
describe('store: WAL checkpoints off the event loop', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-checkpoint-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes `n` rows of 2 KB, one commit each: about n/2 WAL pages of 4 KB. */
  const fill = (db: Db, n: number): void => {
    db.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, blob TEXT)');
    const insert = db.prepare('INSERT INTO filler (blob) VALUES (?)');
    for (let i = 0; i < n; i += 1) insert.run('x'.repeat(2048));
  };
  /** What a fresh connection's PASSIVE checkpoint finds: frames in the WAL and frames still to copy. */
  const walOf = (file: string): { log: number; left: number } => {
    const other = new Database(file);
    try {
      const [row] = other.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
      return { log: row?.log ?? 0, left: (row?.log ?? 0) - (row?.checkpointed ?? 0) };
    } finally {
      other.close();
    }
  };

  it("when the thread runs, then the connection's COMMITs never checkpoint, and the thread copies the WAL into the file", async () => {
    const file = path.join(dir, 'a.db');
    const db = openDatabase(file);
    const checkpointer = startCheckpointer(db, { intervalMs: 20 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(0);
    fill(db, 3000); // about 1,500 pages: past the 1,000 at which a COMMIT would checkpoint by itself
    await pollUntil('a checkpoint of the thread', () => checkpointer.checkpoints > 0);
    const before = fs.statSync(file).size;
    await pollUntil('every WAL frame copied', () => walOf(file).left === 0);
    expect(fs.statSync(file).size, 'the database file holds the rows').to.be.at.least(before);
    expect(fs.statSync(file).size).to.be.above(3000 * 2048);
    await checkpointer.stop();
    db.close();
    expect(integrityCheck(file)).to.equal('ok');
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM filler').get()).to.deep.equal({ n: 3000 });
    check.close();
  });

  it('when writes never stop, then the thread still brings the WAL back to its start, so it stays small', async () => {
    const file = path.join(dir, 'steady.db');
    const db = openDatabase(file);
    const checkpointer = startCheckpointer(db, { intervalMs: 10, restartFrames: 200 });
    // Writes every millisecond or so for 1.5 s, 5 rows (about 3 pages) each time: PASSIVE alone never finds
    // the WAL fully copied at the start of a write, and the WAL grew for as long as the writes went on.
    const until = Date.now() + 1500;
    let rows = 0;
    while (Date.now() < until) {
      fill(db, 5);
      rows += 5;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(checkpointer.restarts, 'restarts').to.be.above(0);
    // A restarted WAL is written again from its start: the file keeps the size it reached, a few restarts' worth of
    // frames, instead of holding every row written (2 KB each; PASSIVE alone: all of them).
    const walBytes = fs.statSync(`${file}-wal`).size;
    expect(walBytes, `WAL bytes after ${rows} rows`).to.be.below((rows * 2048) / 2);
    await checkpointer.stop();
    db.close();
    expect(integrityCheck(file)).to.equal('ok');
  });

  it('when the thread cannot open the file, then the connection checkpoints by itself again, and says so', async () => {
    const file = path.join(dir, 'gone.db');
    const db = openDatabase(file);
    fs.rmSync(file); // the open connection keeps working on the unlinked file; a new one cannot open it
    const warnings: string[] = [];
    startCheckpointer(db, { intervalMs: 20, logger: { warn: (message: string) => warnings.push(message) } });
    await pollUntil('autocheckpoint back', () => db.pragma('wal_autocheckpoint', { simple: true }) === 1000);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/checkpoints back on the main thread/);
    db.close();
  });

  it('when the store of a file is closed, then its thread stops first and the last connection leaves no WAL behind', async () => {
    const file = path.join(dir, 'store.db');
    const store = openSqliteStore({ file });
    await store.accounts.insert(
      {
        id: '0123456789abcdef0123456789abcdef',
        name: 'A',
        realm: 'a.example',
        parent_id: null,
        context: null,
      },
      '2026-01-01T00:00:00.000Z',
    );
    await store.close();
    // SQLite removes the WAL when the last connection closes cleanly: none of the thread's is left open.
    expect(fs.existsSync(`${file}-wal`)).to.equal(false);
    expect(integrityCheck(file)).to.equal('ok');
  });

  it('when the process is killed with -9 while the thread checkpoints, then every committed row is there and the file is sound', async function () {
    this.timeout(30_000);
    const file = path.join(dir, 'kill9.db');
    const child = spawn(
      process.execPath,
      [path.join(__dirname, '..', 'support', 'checkpoint-writer.js'), file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<string | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    const lastLine = (): { committed: number; checkpoints: number } | undefined => {
      const m = /committed (\d+) checkpoints (\d+)\n(?![\s\S]*committed)/.exec(out);
      return m ? { committed: Number(m[1]), checkpoints: Number(m[2]) } : undefined;
    };
    // Killed after the thread has checkpointed a few times, with writes going on.
    await pollUntil(
      'three checkpoints and 4,000 rows',
      () => {
        const last = lastLine();
        return last !== undefined && last.checkpoints >= 3 && last.committed >= 4000;
      },
      { timeoutMs: 25_000 },
    );
    child.kill('SIGKILL');
    expect(await exited).to.equal('SIGKILL');
    const acknowledged = lastLine()?.committed ?? 0;
    expect(integrityCheck(file)).to.equal('ok');
    const db = new Database(file, { readonly: true });
    const { n, top } = db.prepare('SELECT count(*) AS n, max(id) AS top FROM filler').get() as {
      n: number;
      top: number;
    };
    db.close();
    expect(top, 'rows up to the last acknowledged one').to.be.at.least(acknowledged);
    expect(n, 'no gap: ids were committed in order').to.equal(top);
  });
});
