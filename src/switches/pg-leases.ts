/**
 * Tracking leases through PostgreSQL (docs/switches.md#several-instances): one session-level advisory lock per
 * switch, held on a connection of its own. PostgreSQL releases a session's locks when the session ends, so when a
 * process dies (even `kill -9`: the kernel closes its socket) its switches are free at once, and another process's
 * next attempt takes them. No other coordination: PostgreSQL decides who holds what.
 *
 * Every `intervalMs` the process checks its session (a failed check gives every lease up at once: the database
 * may already have ended the session and freed the locks for another process) and tries the locks it does not hold.
 *
 * The leases are shared out: with `n` switches and `k` processes (the lease sessions PostgreSQL shows), each holds
 * at most `ceil(n / k)` while others are under that share. A process at its share leaves a free lease a few rounds
 * to a process under it before trying it; a process above its share gives one lease up (at most one every
 * `balanceAfterMs`), and a process under its share takes it.
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
  /** How long a process waits after its last lease change before giving one up for balance (default 5000 ms). */
  balanceAfterMs?: number;
};

/** The `application_name` of the lease sessions: how processes count each other. */
const LEASE_SESSION = 'fs-clicktocall-leases';

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
  const balanceAfterMs = options.balanceAfterMs ?? 5000;
  /** Since when a free lease has waited for a process under its share (this one being at its own). */
  const waitingSince = new Map<string, number>();
  /** When this process last took or gave up a lease. */
  let lastChangeMs = Date.now();
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
      const fresh = new Client({ connectionString: options.url, application_name: LEASE_SESSION });
      fresh.on('error', (err) => {
        if (client === fresh) loseAll(err.message);
      });
      await withTimeout(fresh.connect());
      client = fresh;
    }
    const session = client;
    const peers = await withTimeout(
      session.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
        [LEASE_SESSION],
      ),
    );
    const share = Math.ceil(options.switchNames.length / Math.max(1, peers.rows[0]?.n ?? 1));
    const now = Date.now();
    for (const switchName of options.switchNames) {
      if (stopped || client !== session) return;
      if (held.has(switchName)) {
        await releaseIfUnreachable(session, switchName);
        continue;
      }
      if (!eligible(switchName)) continue;
      if (held.size >= share) {
        // At its share: a process under it gets three rounds to take this one first.
        const since = waitingSince.get(switchName) ?? now;
        waitingSince.set(switchName, since);
        if (now - since < 3 * intervalMs) continue;
      }
      waitingSince.delete(switchName);
      const reply = await withTimeout(
        session.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS ok`, [switchName]),
      );
      if (reply.rows[0]?.ok === true && !stopped && client === session) {
        held.add(switchName);
        lastChangeMs = Date.now();
        options.logger.info('tracking the switch', { switch: switchName });
        emit({ switchName, held: true });
      }
    }
    const extra = [...held].at(-1);
    if (
      held.size > share &&
      extra !== undefined &&
      now - lastChangeMs >= balanceAfterMs &&
      client === session
    )
      await giveUp(session, extra, 'info', 'tracking lease handed over: another instance has fewer');
  };

  const giveUp = async (
    session: Client,
    switchName: string,
    level: 'info' | 'warn',
    message: string,
  ): Promise<void> => {
    await withTimeout(session.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [switchName]));
    held.delete(switchName);
    unreachableSince.delete(switchName);
    lastChangeMs = Date.now();
    options.logger[level](message, { switch: switchName });
    emit({ switchName, held: false });
  };

  const releaseIfUnreachable = async (session: Client, switchName: string): Promise<void> => {
    if (eligible(switchName)) {
      unreachableSince.delete(switchName);
      return;
    }
    const since = unreachableSince.get(switchName) ?? Date.now();
    unreachableSince.set(switchName, since);
    if (Date.now() - since < releaseAfterMs) return;
    await giveUp(
      session,
      switchName,
      'warn',
      'tracking lease given up: the switch is not reachable from here',
    );
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
