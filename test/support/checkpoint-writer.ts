/**
 * A child process for the kill -9 test of the checkpoint thread (test/store/checkpointer.test.ts): opens the
 * store's database with the thread (as the service does), then commits rows of 2 KB one by one for ever,
 * printing each row's id once its COMMIT returned, and the thread's checkpoint count.
 */
import { startCheckpointer } from '../../src/store/sqlite/checkpointer';
import { openDatabase } from '../../src/store/sqlite/database';

const file = process.argv[2] ?? '';
const db = openDatabase(file);
const checkpointer = startCheckpointer(db, { intervalMs: 10 });
db.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, blob TEXT)');
const insert = db.prepare('INSERT INTO filler (id, blob) VALUES (?, ?)');
let id = 0;
const batch = (): void => {
  for (let i = 0; i < 50; i += 1) {
    id += 1;
    insert.run(id, 'x'.repeat(2048));
    process.stdout.write(`committed ${id} checkpoints ${checkpointer.checkpoints}\n`);
  }
  setImmediate(batch);
};
batch();
