import type { EslEvent } from '../../esl';

/** What the service needs of the switch link. The ESL client satisfies it; tests may stub it. */
export type SwitchPort = {
  readonly connected: boolean;
  bgapi(command: string, options: { jobUuid: string; timeoutMs?: number }): Promise<{ jobUuid: string }>;
  waitForJob(jobUuid: string, options: { timeoutMs: number }): Promise<{ ok: boolean; result: string }>;
  api(command: string, options?: { timeoutMs?: number }): Promise<string>;
  on(event: 'event', listener: (event: EslEvent) => void): unknown;
  on(event: 'connected', listener: (info: { reconnect: boolean }) => void): unknown;
};

/** The switches by name, as the call-following parts reach the one that carries a call (docs/switches.md). */
export type SwitchDirectory = {
  /** The link of the switch a record names (absent: the first configured); undefined for a name not configured. */
  link(recordSwitch: string | undefined): SwitchPort | undefined;
  /** Every (re)connection of every switch. */
  onConnected(listener: (switchName: string, info: { reconnect: boolean }) => void): void;
};
