/**
 * The switches the service places calls on (docs/switches.md): one or several FreeSWITCH event sockets, each with a
 * name and a weight. A connect goes to the healthy switch with the least load for its weight; a switch whose socket
 * drops is out of rotation at once, one that stops answering within a second, and either is back as soon as it
 * answers again.
 */
import { EslTimeoutError, type EslEvent } from '../../esl';
import type { SwitchPort } from '../calls/switch-port';

export type SwitchMember = {
  /** Stable name: the history records it, metrics and `/health` show it. */
  readonly name: string;
  /** Share of the calls relative to the others (default 1). */
  readonly weight: number;
  readonly link: SwitchPort;
};

export type SwitchSetOptions = {
  /** How often each switch is asked `status` when there are several (default 250 ms). */
  probeIntervalMs?: number;
  /** A probe unanswered this long takes the switch out of rotation (default 750 ms). */
  probeTimeoutMs?: number;
  now?: () => number;
};

/** What `/health` and `/metrics` show of one switch. */
export type SwitchStatus = {
  name: string;
  weight: number;
  /** Connected and answering. */
  up: boolean;
  connected: boolean;
  /** Sessions the switch reported at its last probe, plus the calls placed on it since. */
  load: number;
};

type Member = SwitchMember & {
  /** Sessions in the switch's last `status` answer. */
  sessions: number;
  /** Calls this process placed on it since that answer. */
  placed: number;
  /** When the probe in flight was sent (undefined: none in flight). */
  probeSentMs: number | undefined;
  /** Numbers the probes: only the latest one's silence counts. */
  probeSeq: number;
  /** The last probe went unanswered for longer than the timeout. */
  stalled: boolean;
};

/** `N session(s) - peak …` in FreeSWITCH's `status`. */
const SESSIONS = /(\d+) session\(s\) - peak/;

export class SwitchSet {
  private readonly members: Member[];
  private readonly byName = new Map<string, Member>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    members: readonly SwitchMember[],
    private readonly options: SwitchSetOptions = {},
  ) {
    if (members.length === 0) throw new Error('at least one switch is needed');
    this.members = members.map((m) => ({
      ...m,
      sessions: 0,
      placed: 0,
      probeSentMs: undefined,
      probeSeq: 0,
      stalled: false,
    }));
    for (const m of this.members) {
      if (this.byName.has(m.name)) throw new Error(`two switches are named ${m.name}`);
      this.byName.set(m.name, m);
    }
  }

  /** The names, in the configured order. */
  get names(): string[] {
    return this.members.map((m) => m.name);
  }

  /** The first switch: a record written before switches had names was carried by it. */
  get defaultName(): string {
    return this.members[0]!.name;
  }

  /** The switch of a record (`switch` absent: the default one). */
  nameOf(recordSwitch: string | undefined): string {
    return recordSwitch ?? this.defaultName;
  }

  link(name: string | undefined): SwitchPort | undefined {
    return this.byName.get(this.nameOf(name))?.link;
  }

  /** Connected and answering. */
  up(name: string): boolean {
    const m = this.byName.get(name);
    return m !== undefined && m.link.connected && !m.stalled;
  }

  get anyUp(): boolean {
    return this.members.some((m) => this.up(m.name));
  }

  /**
   * The switch for a new call: among those up, the least `(load + 1) / weight` (ties: the first configured); the
   * call counts toward its load until the next probe. Undefined when none is up.
   */
  choose(): SwitchMember | undefined {
    let best: Member | undefined;
    let bestScore = Infinity;
    for (const m of this.members) {
      if (!this.up(m.name)) continue;
      const score = (m.sessions + m.placed + 1) / m.weight;
      if (score < bestScore) {
        best = m;
        bestScore = score;
      }
    }
    if (best) best.placed += 1;
    return best;
  }

  status(): SwitchStatus[] {
    return this.members.map((m) => ({
      name: m.name,
      weight: m.weight,
      up: this.up(m.name),
      connected: m.link.connected,
      load: m.sessions + m.placed,
    }));
  }

  /** Every switch's events, with the name of the switch they came from. */
  onEvent(listener: (event: EslEvent, switchName: string) => void): void {
    for (const m of this.members) m.link.on('event', (event) => listener(event, m.name));
  }

  /** Every (re)connection of every switch. */
  onConnected(listener: (switchName: string, info: { reconnect: boolean }) => void): void {
    for (const m of this.members) m.link.on('connected', (info) => listener(m.name, info));
  }

  /**
   * Starts probing when there are several switches (one switch has no other to turn to: a stalled one is found by
   * the connect's own timeout, as before).
   */
  start(): void {
    if (this.members.length < 2 || this.timer) return;
    this.timer = setInterval(() => this.probeAll(), this.options.probeIntervalMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private probeAll(): void {
    const now = this.options.now?.() ?? Date.now();
    const timeoutMs = this.options.probeTimeoutMs ?? 750;
    for (const m of this.members) {
      if (!m.link.connected) {
        m.probeSentMs = undefined;
        m.stalled = false; // judged again once connected
        continue;
      }
      if (m.probeSentMs !== undefined) {
        const waited = now - m.probeSentMs;
        if (waited > timeoutMs) m.stalled = true;
        // A probe silent this long is given up, and the switch asked again.
        if (waited < 4 * timeoutMs) continue;
      }
      m.probeSentMs = now;
      const seq = (m.probeSeq += 1);
      // Any answer, an error included and a late one, shows the switch is answering; only silence takes it out.
      const answered = (reply: string | undefined): void => {
        if (seq === m.probeSeq) m.probeSentMs = undefined;
        m.stalled = false;
        const sessions = reply === undefined ? undefined : SESSIONS.exec(reply)?.[1];
        if (sessions !== undefined) {
          m.sessions = Number(sessions);
          m.placed = 0;
        }
      };
      const silent = (): void => {
        if (seq === m.probeSeq) m.probeSentMs = undefined;
      };
      void m.link
        .api('status', { timeoutMs: 4 * timeoutMs })
        .then(answered, (err: unknown) => (err instanceof EslTimeoutError ? silent() : answered(undefined)));
    }
  }
}
