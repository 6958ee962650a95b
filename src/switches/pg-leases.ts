/**
 * Tracking leases through PostgreSQL (docs/switches.md#several-instances): one session-level advisory lock per
 * switch, held on a connection of its own. PostgreSQL releases a session's locks when the session ends, so when a
 * process dies (even `kill -9`: the kernel closes its socket) its switches are free at once, and another process's
 * next attempt takes them. No other coordination: PostgreSQL decides who holds what.
 *
 * Every `intervalMs` the process checks its session (a failed check gives every lease up at once: the database
 * may already have ended the session and freed the locks for another process) and tries the locks it does not hold.
 */
import { Client } from 'pg';
import type { Logger } from '../logger';
import type { LeaseChange, TrackingLeases } from './tracking-leases';

export type PgLeasesOptions = {
  url: string;
  switchNames: readonly string[];
  logger: Pick<Logger, 'info' | 'warn'>;
  /** How often the locks are tried and the session checked (default 1000 ms). */
  intervalMs?: number;
  /** A check unanswered this long counts as a lost session (default 2000 ms). */
  queryTimeoutMs?: number;
  /**
   * Whether this process can follow the switch now (its event socket is connected). A lease is tried only while
   * it can, and given up once it could not for `releaseAfterMs` (default 3000 ms): another process that reaches the
   * switch takes it over.
   */
  eligible?: (switchName: string) => boolean;
  releaseAfterMs?: number;
};

/** The lock key of a switch: a 64-bit hash of a fixed prefix and its name. */
const LOCK_KEY = "hashtextextended('fs-clicktocall:switch:' || $1, 0)";

export function pgLeases(options: PgLeasesOptions): TrackingLeases {
  const held = new Set<string>();
  const listeners: Array<(change: LeaseChange) => void> = [];
  let client: Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = false;
  const intervalMs = options.intervalMs ?? 1000;
  const eligible = options.eligible ?? (() => true);
  const releaseAfterMs = options.releaseAfterMs ?? 3000;
  /** Since when a held switch could not be followed. */
  const unreachableSince = new Map<string, number>();
  const queryTimeoutMs = options.queryTimeoutMs ?? 2000;

  const emit = (change: LeaseChange): void => {
    for (const listener of listeners) listener(change);
  };

  const loseAll = (reason: string): void => {
    const lost = [...held];
    held.clear();
    const old = client;
    client = undefined;
    old?.end().catch(() => undefined);
    if (lost.length > 0) options.logger.warn('tracking leases lost', { switches: lost, reason });
    for (const switchName of lost) emit({ switchName, held: false });
  };

  const withTimeout = async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the database did not answer in time')), queryTimeoutMs);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  const round = async (): Promise<void> => {
    if (!client) {
      const fresh = new Client({ connectionString: options.url, application_name: 'fs-clicktocall-leases' });
      fresh.on('error', (err) => {
        if (client === fresh) loseAll(err.message);
      });
      await withTimeout(fresh.connect());
      client = fresh;
    }
    const session = client;
    await withTimeout(session.query('SELECT 1'));
    for (const switchName of options.switchNames) {
      if (stopped || client !== session) return;
      if (held.has(switchName)) {
        await releaseIfUnreachable(session, switchName);
        continue;
      }
      if (!eligible(switchName)) continue;
      const reply = await withTimeout(
        session.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS ok`, [switchName]),
      );
      if (reply.rows[0]?.ok === true && !stopped && client === session) {
        held.add(switchName);
        options.logger.info('tracking the switch', { switch: switchName });
        emit({ switchName, held: true });
      }
    }
  };

  const releaseIfUnreachable = async (session: Client, switchName: string): Promise<void> => {
    if (eligible(switchName)) {
      unreachableSince.delete(switchName);
      return;
    }
    const since = unreachableSince.get(switchName) ?? Date.now();
    unreachableSince.set(switchName, since);
    if (Date.now() - since < releaseAfterMs) return;
    await withTimeout(session.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [switchName]));
    held.delete(switchName);
    unreachableSince.delete(switchName);
    options.logger.warn('tracking lease given up: the switch is not reachable from here', {
      switch: switchName,
    });
    emit({ switchName, held: false });
  };

  const tick = (): void => {
    if (running || stopped) return;
    running = true;
    void round()
      .catch((err: unknown) => loseAll((err as Error).message))
      .finally(() => {
        running = false;
      });
  };

  return {
    holds: (switchName) => held.has(switchName),
    onChange: (listener) => void listeners.push(listener),
    start() {
      if (timer || stopped) return;
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      const session = client;
      client = undefined;
      held.clear();
      if (session) {
        await withTimeout(session.query('SELECT pg_advisory_unlock_all()')).catch(() => undefined);
        await session.end().catch(() => undefined);
      }
    },
  };
}
