/**
 * Types of the fake switch's call scenarios (the data the fake FreeSWITCH plays for an originate).
 */
import type { ParsedOriginate } from './originate-parser';

export type { ParsedOriginate };

export type LegName = 'loopbackA' | 'loopbackB' | 'firstSip' | 'secondSip';

export type ScenarioContext = {
  /** = vars.origination_uuid, loopback-a's Unique-ID */
  callId: string;
  jobUuid: string;
  parsed: ParsedOriginate;
  uuids: { loopbackB: string; firstSip: string; secondSip: string };
  startedAt: Date;
};

export type ScenarioStep = {
  /** ms after the originate was received */
  atMs: number;
  /** headers in order with raw (decoded) values; the server URL-encodes and adds Content-Length */
  event: Array<[string, string]>;
  body?: string;
};

export type Scenario = {
  name: string;
  description: string;
  steps(ctx: ScenarioContext): ScenarioStep[];
  onHangup(ctx: ScenarioContext, cause: string, atMs: number, alive: LegName[]): ScenarioStep[];
};
