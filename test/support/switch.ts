import { EslClient } from '../../esl';
import { FakeSwitch } from '../../fake-switch/server';
import { parseOriginate, type ParsedOriginate } from '../../fake-switch/originate-parser';
import { CALL_SUBSCRIPTION } from '../../src/calls/subscription';
import { testLogger } from './harness';

export type SwitchRig = { fake: FakeSwitch; esl: EslClient; close(): Promise<void> };

/**
 * A fake FreeSWITCH on an ephemeral port (time × `speed`) and a connected ESL client with fast retries. Its command
 * timeout is 2 s unless `commandTimeoutMs` says otherwise (a test that proves an answer comes "at once" sets it far
 * above its bound, so that waiting for the timeout cannot pass for "at once" on a loaded machine).
 */
export async function switchRig(
  opts: { speed?: number; commandTimeoutMs?: number } = {},
): Promise<SwitchRig> {
  const fake = new FakeSwitch({ speed: opts.speed ?? 20 });
  const { port } = await fake.start();
  const esl = new EslClient({
    host: '127.0.0.1',
    port,
    password: 'ClueCon',
    subscription: CALL_SUBSCRIPTION,
    backoff: { initialMs: 20, maxMs: 100 },
    commandTimeoutMs: opts.commandTimeoutMs ?? 2000,
    logger: testLogger().child({ module: 'esl' }),
    traceWire: true,
  });
  esl.start();
  await esl.waitConnected(10_000);
  return {
    fake,
    esl,
    async close() {
      await esl.close();
      await fake.stop();
    },
  };
}

/** The originates the fake switch received, parsed the way FreeSWITCH parses them. */
export function originatesOf(fake: FakeSwitch): ParsedOriginate[] {
  return fake.requests
    .filter((r) => r.command.startsWith('bgapi originate '))
    .map((r) => {
      const parsed = parseOriginate(r.command.slice('bgapi originate '.length));
      if ('error' in parsed) throw new Error(`unparseable originate: ${parsed.error}`);
      return parsed;
    });
}
