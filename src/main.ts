import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { openRuntime } from './runtime';

/** The only file that reads process.env, listens, and exits. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`fs-clicktocall: ${e.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel });
  let runtime;
  try {
    runtime = await openRuntime({ config, logger });
  } catch (err) {
    // The database named by DATABASE_URL is unreachable or refused us (the message carries no password).
    logger.error('cannot open the database', { error: (err as Error).message });
    process.exit(1);
  }
  runtime.start();
  const first = await runtime.services.accounts.bootstrap();
  if (first) {
    // Shown once, on the terminal only (not through the logger): the key is a secret.
    process.stdout.write(
      `\nCreated the first account. Keep this API key: it is shown only once.\n` +
        `  account_id: ${first.id}\n  api_key:    ${first.api_key}\n\n`,
    );
  }

  const server: Server = runtime.app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info('listening', {
      host: config.host,
      port,
      db: config.databaseUrl === undefined ? config.dbPath : 'postgresql',
      switches: config.switches.map((sw) => `${sw.name}=${sw.host}:${sw.port}`).join(' '),
      dialplan_context: config.dialplanContext,
    });
  });
  server.on('error', (err) => {
    logger.error('cannot listen', { error: err.message });
    process.exit(1);
  });

  const stop = (signal: string) => {
    logger.info('stopping', { signal });
    server.close(() => {
      void runtime.close().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
