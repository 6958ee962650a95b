import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger';
import type { Db } from './database';
import type { CheckpointReport, CheckpointWorkerData } from './checkpoint-worker';

/** SQLite's own default: a checkpoint once the WAL holds 1000 pages. */
const AUTOCHECKPOINT_PAGES = 1000;
/** A WAL file bigger than this is cut back when it restarts (the WAL of a burst would otherwise keep its size). */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** The thread restarts the WAL once it holds this many frames (16 MB with 4 KB pages), well under the limit above. */
const RESTART_FRAMES = 4096;

export type Checkpointer = {
  /** How many checkpoints found pages to copy. */
  readonly checkpoints: number;
  /** How many times the thread brought the WAL back to its start. */
  readonly restarts: number;
  stop(): Promise<void>;
};

/**
 * Moves the WAL checkpoints of the service's connection to a worker thread (docs/storage.md#checkpoints): the
 * connection stops checkpointing inside its own COMMITs (`wal_autocheckpoint = 0`) and the thread checkpoints every
 * `intervalMs`. Should the thread fail, the connection checkpoints by itself again, as SQLite does by default.
 */
export function startCheckpointer(
  db: Db,
  opts: {
    intervalMs?: number;
    restartFrames?: number;
    logger?: Pick<Logger, 'warn'>;
    onCheckpoint?: () => void;
  } = {},
): Checkpointer {
  const data: CheckpointWorkerData = {
    file: db.name,
    intervalMs: opts.intervalMs ?? 100,
    restartFrames: opts.restartFrames ?? RESTART_FRAMES,
  };
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  db.pragma('wal_autocheckpoint = 0');
  // The thread allocates next to nothing: small heap limits keep its own V8 heap (and the service's RSS) small.
  const worker = new Worker(path.join(__dirname, 'checkpoint-worker.js'), {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
  });
  worker.unref();
  let checkpoints = 0;
  let restarts = 0;
  let stopped = false;
  const fallBack = (why: string): void => {
    if (stopped || !db.open) return;
    stopped = true;
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    opts.logger?.warn('WAL checkpoints back on the main thread: the checkpoint thread stopped', {
      error: why,
    });
  };
  worker.on('message', (m: CheckpointReport) => {
    if (m.type === 'checkpoint') {
      checkpoints += 1;
      opts.onCheckpoint?.();
    } else if (m.type === 'restart') restarts += 1;
    else if (m.type === 'error') fallBack(m.message);
  });
  worker.on('error', (err) => fallBack(err.message));
  worker.on('exit', () => fallBack('exited'));
  return {
    get checkpoints() {
      return checkpoints;
    },
    get restarts() {
      return restarts;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (stopped) {
          resolve();
          return;
        }
        stopped = true;
        worker.once('exit', () => resolve());
        worker.postMessage({ type: 'stop' });
        setTimeout(() => void worker.terminate(), 2000).unref();
      }),
  };
}
