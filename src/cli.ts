import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { AppError } from './errors';
import { createLogger } from './logger';
import { buildRuntime, NO_SWITCH, type Runtime } from './runtime';

const USAGE = `usage:
  cli accounts create --name NAME --realm REALM [--parent ID] [--context CTX] [--allow-sip]
  cli accounts list
  cli api-keys create --account ID
  cli api-keys revoke --key API_KEY`;

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

/** The admin command line. Resolves with the exit code; prints one JSON document on success. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  out: Out,
): Promise<number> {
  const [noun, verb, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        realm: { type: 'string' },
        parent: { type: 'string' },
        context: { type: 'string' },
        account: { type: 'string' },
        key: { type: 'string' },
        'allow-sip': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    out.stderr(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);

  let runtime: Runtime | undefined;
  try {
    const config = loadConfig(env);
    const logger = createLogger({ level: 'error', stream: process.stderr });
    runtime = buildRuntime({ config, logger, esl: NO_SWITCH, metrics: false });
    const { accounts } = runtime.services;
    const print = (v: unknown) => out.stdout(`${JSON.stringify(v)}\n`);
    const command = `${noun ?? ''} ${verb ?? ''}`;
    if (command === 'accounts create') {
      const name = str('name');
      const realm = str('realm');
      if (name === undefined || realm === undefined) throw new UsageError('--name and --realm are required');
      const parentId = str('parent');
      const context = str('context');
      print(
        await accounts.createAccount({
          name,
          realm,
          ...(parentId && { parentId }),
          ...(context && { context }),
          ...(values['allow-sip'] === true && { allowSipUri: true }),
        }),
      );
    } else if (command === 'accounts list') {
      print(await accounts.listAccounts());
    } else if (command === 'api-keys create') {
      const account = str('account');
      if (account === undefined) throw new UsageError('--account is required');
      print({ api_key: await accounts.createApiKey(account) });
    } else if (command === 'api-keys revoke') {
      const key = str('key');
      if (key === undefined) throw new UsageError('--key is required');
      print({ revoked: await accounts.revokeApiKey(key) });
    } else {
      throw new UsageError(`unknown command: ${command.trim() || '(none)'}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) out.stderr(`${e.message}\n${USAGE}\n`);
    else if (e instanceof AppError) out.stderr(`${JSON.stringify({ error: e.code, data: e.data })}\n`);
    else if (e instanceof ConfigError) out.stderr(`${e.message}\n`);
    else throw e;
    return e instanceof UsageError ? 2 : 1;
  } finally {
    await runtime?.close();
  }
}

class UsageError extends Error {}

if (require.main === module) {
  void runCli(process.argv.slice(2), process.env, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  }).then((code) => (process.exitCode = code));
}
