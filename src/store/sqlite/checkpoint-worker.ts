/**
 * The WAL checkpoints of a SQLite file, on a thread of their own (started by checkpointer.ts): a checkpoint copies
 * the WAL's pages into the database file and waits for the disk twice, milliseconds that would otherwise stall the
 * service's event loop inside whichever COMMIT crossed the WAL's size limit. PASSIVE: never waits for the service's
 * connection, and does what it can. Same `synchronous` as the service's connection, so durability is unchanged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export type CheckpointWorkerData = { file: string; intervalMs: number };
export type CheckpointReport =
  | { type: 'ready' }
  | { type: 'checkpoint'; busy: number; log: number; checkpointed: number }
  | { type: 'error'; message: string };

const { file, intervalMs } = workerData as CheckpointWorkerData;
const port = parentPort;
const send = (report: CheckpointReport): void => port?.postMessage(report);

try {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  db.pragma('synchronous = NORMAL');
  const timer = setInterval(() => {
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{
        busy: number;
        log: number;
        checkpointed: number;
      }>;
      if (row && row.log > 0) send({ type: 'checkpoint', ...row });
    } catch (err) {
      // SQLITE_BUSY: another checkpoint (a CLI's connection closing) is running; the next tick tries again.
      if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw err;
    }
  }, intervalMs);
  port?.on('message', (m: { type?: string }) => {
    if (m.type !== 'stop') return;
    clearInterval(timer);
    db.close();
    port.close();
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'error', message: (err as Error).message });
}
