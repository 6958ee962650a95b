/**
 * Capture-derived ESL event streams for the ingest bench: the events the fake switch would send for N
 * calls (the recorded FreeSWITCH 1.10.12 scenarios), filtered by the service's own subscription, framed
 * byte for byte as `text/event-plain`, interleaved as simultaneous calls.
 */
import crypto from 'node:crypto';
import { Subscription, eventPlainFrame } from '../../fake-switch/wire';
import { CALL_SUBSCRIPTION } from '../../src/calls/subscription';
import { scenarioSteps } from '../../test/support/scenario-steps';

export const BENCH_ACCOUNT_ID = 'a'.repeat(32);

/** The second party's number: the end picks the scenario (README table). */
const CONTACTS = ['+15551234567', '+15551234567', '+15551234567', '+15551230486', '+15551230480'];

export type CallStream = { callId: string; configId: string; frames: Array<{ atMs: number; frame: Buffer }> };

/** A subscription filter exactly as the service's ESL client sets it up. */
export function serviceSubscription(): Subscription {
  const sub = new Subscription();
  sub.event(`plain ${CALL_SUBSCRIPTION.events.join(' ')}`);
  for (const [h, v] of CALL_SUBSCRIPTION.filters) sub.filter(`${h} ${v}`);
  return sub;
}

/** One call's filtered, framed events. `i` picks the scenario (mostly answered calls, some busy/no answer). */
export function callStream(i: number, sub: Subscription, configId?: string): CallStream {
  const cid = configId ?? crypto.randomBytes(16).toString('hex');
  const callId = `c2c-${cid}-${crypto.randomBytes(5).toString('hex')}`;
  const contact = CONTACTS[i % CONTACTS.length] ?? '+15551234567';
  const steps = scenarioSteps({
    config: { id: cid, extension: '2600', timeout: 8 },
    contact,
    callId,
    accountId: BENCH_ACCOUNT_ID,
    startedAt: new Date(),
  });
  const frames = steps
    .filter((s) => sub.passes(s.event))
    .map((s) => ({ atMs: s.atMs, frame: eventPlainFrame(s.event, s.body) }));
  return { callId, configId: cid, frames };
}

/** Replaces every occurrence of `from` (ASCII, same length as `to`) in a frame. */
function swap(frame: Buffer, from: string, to: string): Buffer {
  return Buffer.from(frame.toString('latin1').split(from).join(to), 'latin1');
}

/**
 * N calls started `spacingMs` apart, their frames merged in time order into one byte stream. Only
 * `templates` calls are generated from the scenarios; the others are copies with a new call id (same
 * length, so every frame keeps its size and Content-Length).
 */
export function interleavedStream(
  calls: number,
  spacingMs: number,
  configIds: readonly string[],
  templates = 200,
): { streams: CallStream[]; bytes: Buffer; events: number; jobEvents: number } {
  const sub = serviceSubscription();
  const bases: CallStream[] = [];
  for (let i = 0; i < Math.min(calls, templates); i++)
    bases.push(callStream(i, sub, configIds[i % configIds.length]));
  const streams: CallStream[] = [];
  const all: Array<{ t: number; frame: Buffer }> = [];
  for (let i = 0; i < calls; i++) {
    const base = bases[i % bases.length] as CallStream;
    let s = base;
    if (i >= bases.length) {
      const callId = `c2c-${base.configId}-${crypto.randomBytes(5).toString('hex')}`;
      s = {
        callId,
        configId: base.configId,
        frames: base.frames.map((f) => ({ atMs: f.atMs, frame: swap(f.frame, base.callId, callId) })),
      };
    }
    streams.push(s);
    for (const f of s.frames) all.push({ t: i * spacingMs + f.atMs, frame: f.frame });
  }
  all.sort((a, b) => a.t - b.t);
  const bytes = Buffer.concat(all.map((a) => a.frame));
  const jobEvents = all.filter((a) => a.frame.includes('Event-Name: BACKGROUND_JOB')).length;
  return { streams, bytes, events: all.length, jobEvents };
}
