import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { migrate, openDatabase, MIGRATIONS_DIR } from '../../src/store/sqlite/database';

describe('openDatabase and migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-db-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when opened on a file, then WAL, foreign keys and every migration, tracked in user_version', () => {
    const file = path.join(dir, 'sub', 'c2c.db');
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
    expect(db.pragma('foreign_keys', { simple: true })).to.equal(1);
    const latest = Math.max(...fs.readdirSync(MIGRATIONS_DIR).map((f) => Number(f.slice(0, 4))));
    expect(db.pragma('user_version', { simple: true })).to.equal(latest);
    db.close();
    const again = openDatabase(file);
    expect(migrate(again, MIGRATIONS_DIR)).to.deep.equal([]);
    again.close();
  });

  it('when a migration fails, then it is rolled back whole and the version stays', () => {
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations);
    fs.writeFileSync(path.join(migrations, '0001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
    fs.writeFileSync(
      path.join(migrations, '0002_bad.sql'),
      'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);',
    );
    const file = path.join(dir, 'm.db');
    expect(() => openDatabase(file, migrations)).to.throw(/no such table: nowhere/);
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).to.equal(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('a', 'b')").all()).to.deep.equal([
      { name: 'a' },
    ]);
    db.close();
  });

  it('foreign keys are enforced', () => {
    const db = openDatabase(':memory:');
    expect(() =>
      db.prepare("INSERT INTO api_keys (account_id, key_hash, created_at) VALUES ('nope', 'h', 'now')").run(),
    ).to.throw(/FOREIGN KEY/);
    db.close();
  });
});
