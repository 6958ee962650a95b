/**
 * The WAL checkpoints of a SQLite file, on a thread of their own (started by checkpointer.ts): a checkpoint copies
 * the WAL's pages into the database file and waits for the disk twice, milliseconds that would otherwise stall the
 * service's event loop inside whichever COMMIT crossed the WAL's size limit. PASSIVE: never waits for the service's
 * connection, and does what it can. Same `synchronous` as the service's connection, so durability is unchanged.
 *
 * PASSIVE alone never brings the WAL back to its start while writes keep coming (it only restarts when a write
 * finds every frame copied), so under a steady load the WAL grew by gigabytes, and the write that finally restarted
 * it after the load eased cut the file back to `journal_size_limit` inside its COMMIT: a 260 ms stall of the event
 * loop (docs/storage.md#checkpoints). So once the WAL holds `restartFrames` frames, the thread asks for a RESTART
 * checkpoint: it copies what is left and makes the next write start the WAL from its beginning. It does not wait:
 * while the service's connection is writing it is busy and tried again on the next tick; while it runs (the few
 * frames PASSIVE had not copied yet) the service's writes wait for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export type CheckpointWorkerData = { file: string; intervalMs: number; restartFrames: number };
export type CheckpointReport =
  | { type: 'ready' }
  | { type: 'checkpoint'; busy: number; log: number; checkpointed: number }
  /** The WAL was brought back to its start (`frames`: what it held). */
  | { type: 'restart'; frames: number }
  | { type: 'error'; message: string };

const { file, intervalMs, restartFrames } = workerData as CheckpointWorkerData;
type Row = { busy: number; log: number; checkpointed: number };
const port = parentPort;
const send = (report: CheckpointReport): void => port?.postMessage(report);

try {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  db.pragma('synchronous = NORMAL');
  const timer = setInterval(() => {
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Row[];
      if (row && row.log > 0) send({ type: 'checkpoint', ...row });
      if (row && row.log >= restartFrames) {
        const [restarted] = db.pragma('wal_checkpoint(RESTART)') as Row[];
        if (restarted && restarted.busy === 0) send({ type: 'restart', frames: restarted.log });
      }
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
