/**
 * `npm run fake-switch` (node dist/fake-switch/cli.js): a fake FreeSWITCH event socket for local
 * development. Listens on 127.0.0.1:8021 with password ClueCon unless told otherwise:
 *
 *   --host H --port N --password P --speed S     (flags win over the environment)
 *   FAKE_SWITCH_HOST, FAKE_SWITCH_PORT, FAKE_SWITCH_PASSWORD, FAKE_SWITCH_SPEED
 *
 * Prints one line per received command (the `auth` password redacted) and per played scenario.
 */
import { FakeSwitch } from './server';

/** Parsed command line. */
export type CliOptions = { host: string; port: number; password: string; speed: number };

/**
 * Reads flags and environment.
 *
 * @param argv - arguments after the script name
 * @param env - the environment
 * @throws Error listing every invalid option
 */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const flags = new Map<string, string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const m = /^--(host|port|password|speed)(?:=(.*))?$/.exec(arg);
    if (!m) {
      problems.push(`unknown argument ${arg}`);
      continue;
    }
    const name = m[1] ?? '';
    const value = m[2] ?? argv[++i];
    if (value === undefined) problems.push(`--${name} needs a value`);
    else flags.set(name, value);
  }
  const host = flags.get('host') ?? env['FAKE_SWITCH_HOST'] ?? '127.0.0.1';
  const portText = flags.get('port') ?? env['FAKE_SWITCH_PORT'] ?? '8021';
  const password = flags.get('password') ?? env['FAKE_SWITCH_PASSWORD'] ?? 'ClueCon';
  const speedText = flags.get('speed') ?? env['FAKE_SWITCH_SPEED'] ?? '1';
  const port = Number(portText);
  const speed = Number(speedText);
  if (!/^\d+$/.test(portText) || port > 65535) problems.push(`invalid port ${portText}`);
  if (!(speed > 0) || !Number.isFinite(speed)) problems.push(`invalid speed ${speedText}`);
  if (password === '' || /[\r\n]/.test(password)) problems.push('invalid password');
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { host, port, password, speed };
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseCliOptions(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`fake-switch: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const stamp = (): string => new Date().toISOString();
  const fake = new FakeSwitch({
    host: opts.host,
    port: opts.port,
    password: opts.password,
    speed: opts.speed,
    onLog: (line) => process.stdout.write(`${stamp()} ${line}\n`),
  });
  const { port } = await fake.start();
  process.stdout.write(
    `${stamp()} fake FreeSWITCH listening on ${opts.host}:${port} (speed ${opts.speed})\n`,
  );
  const shutdown = (): void => {
    fake
      .stop()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`fake-switch: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
