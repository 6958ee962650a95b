/**
 * The fake FreeSWITCH of the bench, in its own process (so its work is not the service's nor the load
 * generator's). Mode `accept`: every originate is accepted and answered by its BACKGROUND_JOB only (the
 * connect path alone; channel-event traffic is measured by the ingest row). Mode `real`: the recorded
 * scenarios, as `npm run fake-switch`. Reports, on request, when each originate's `bgapi` arrived
 * (process.hrtime, the system's monotonic clock, shared with the bench process).
 */
import { FakeSwitch } from '../fake-switch/server';
import type { Scenario, ScenarioStep } from '../fake-switch/scenario-types';
import { selectScenario } from '../fake-switch/scenarios';

const mode = process.argv[2] === 'real' ? 'real' : 'accept';
const arrivals = new Map<string, string>();
let recording = false;
const ORIGINATE = /^\[conn \d+\] bgapi originate \{origination_uuid=(c2c-[0-9a-f]+-[0-9a-f]+)/;

/** The BACKGROUND_JOB step of the first call's real scenario, reused for every call (the scenarios cost ms each). */
let jobTemplate: { callId: string; step: ScenarioStep } | undefined;
const swap = (text: string, from: string, to: string): string => text.split(from).join(to);

const acceptOnly = (parsed: Parameters<typeof selectScenario>[0]): Scenario => {
  const real = selectScenario(parsed);
  return {
    name: `${real.name} (accept only)`,
    description: real.description,
    steps: (ctx) => {
      if (!jobTemplate) {
        const step = real
          .steps(ctx)
          .find((s) => s.event.some(([k, v]) => k === 'Event-Name' && v === 'BACKGROUND_JOB'));
        if (!step) return [];
        jobTemplate = { callId: ctx.callId, step };
      }
      const { callId, step } = jobTemplate;
      return [
        {
          atMs: 0,
          event: step.event.map(([k, v]) => [k, swap(v, callId, ctx.callId)] as [string, string]),
          ...(step.body !== undefined && { body: swap(step.body, callId, ctx.callId) }),
        },
      ];
    },
    onHangup: () => [],
  };
};

const sw = new FakeSwitch({
  port: 0,
  onLog: (line) => {
    if (!recording) return;
    const at = process.hrtime.bigint();
    const m = ORIGINATE.exec(line);
    if (m?.[1]) arrivals.set(m[1], String(at));
  },
  ...(mode === 'accept' && { selectScenario: acceptOnly }),
});

// The switch keeps every command it received (for tests): keep that bounded over a long bench.
setInterval(() => {
  sw.commands.length = 0;
  sw.requests.length = 0;
}, 1000).unref();

process.on('message', (m: { type: string }) => {
  if (m.type === 'record') {
    arrivals.clear();
    recording = true;
  } else if (m.type === 'arrivals') {
    recording = false;
    process.send?.({ type: 'arrivals', arrivals: Object.fromEntries(arrivals) });
    arrivals.clear();
  } else if (m.type === 'stats') {
    process.send?.({ type: 'stats', activeCalls: sw.activeCalls.size, connections: sw.connectionCount });
  } else if (m.type === 'exit') {
    void sw.stop().finally(() => process.exit(0));
  }
});

sw.start()
  .then(({ port }) => process.send?.({ type: 'ready', port }))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
