import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { AppError } from './errors';
import { createLogger } from './logger';
import { openRuntime, NO_SWITCH, type Runtime } from './runtime';
import { soleLeases } from './switches/tracking-leases';
import { copySqliteToPostgres, CopyRefused } from './store/copy';

const USAGE = `usage:
  cli accounts create --name NAME --realm REALM [--parent ID] [--context CTX] [--allow-sip]
  cli accounts list
  cli api-keys create --account ID
  cli api-keys revoke --key API_KEY
  cli copy-to-postgres --from SQLITE_FILE --to POSTGRES_URL [--schema NAME]`;

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

/** The admin command line. Resolves with the exit code; prints one JSON document on success. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  out: Out,
): Promise<number> {
  if (argv[0] === 'copy-to-postgres') return copyToPostgres(argv.slice(1), out);
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
    runtime = await openRuntime({ config, logger, esl: NO_SWITCH, metrics: false, leases: soleLeases() });
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

/**
 * `copy-to-postgres`: the SQLite store in a file into an empty PostgreSQL database (src/store/copy.ts). Prints the
 * rows copied per table, and the target without its password.
 */
async function copyToPostgres(args: string[], out: Out): Promise<number> {
  let values: { from?: string | undefined; to?: string | undefined; schema?: string | undefined };
  try {
    ({ values } = parseArgs({
      args,
      options: { from: { type: 'string' }, to: { type: 'string' }, schema: { type: 'string' } },
      strict: true,
    }));
  } catch (e) {
    out.stderr(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { from, to, schema } = values;
  if (from === undefined || to === undefined) {
    out.stderr(`--from and --to are required\n${USAGE}\n`);
    return 2;
  }
  try {
    const copied = await copySqliteToPostgres({ from, to, ...(schema !== undefined && { schema }) });
    out.stdout(`${JSON.stringify(copied)}\n`);
    return 0;
  } catch (e) {
    // pg's errors name the host and the user at most; should one hold the URL or its password, they are masked.
    const reason = e instanceof CopyRefused ? e.message : `the copy failed: ${(e as Error).message}`;
    let password = '';
    try {
      password = decodeURIComponent(new URL(to).password);
    } catch {
      // Not a URL: pg could not have used it either.
    }
    let said = reason.split(to).join('(the --to URL)');
    if (password !== '') said = said.split(password).join('***');
    out.stderr(`${said}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), process.env, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  }).then((code) => (process.exitCode = code));
}
