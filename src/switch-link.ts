import { EslClient } from '../esl';
import type { Config } from './config';
import type { Logger } from './logger';

/**
 * The one ESL connection of the service, started at once and reconnected forever. Logs in plain words
 * when the switch is unreachable (once per outage, not once per retry) and when it is back.
 */
export function startSwitchLink(config: Config, logger: Logger): EslClient {
  const log = logger.child({ module: 'esl' });
  const esl = new EslClient({
    host: config.eslHost,
    port: config.eslPort,
    password: config.eslPassword,
    logger: log,
  });
  let down = false;
  esl.on('state', (health) => {
    if (!health.connected && !down && health.lastError !== undefined) {
      down = true;
      log.warn('FreeSWITCH is not reachable; connects answer 503 until it is', {
        host: config.eslHost,
        port: config.eslPort,
        error: health.lastError,
      });
    } else if (health.connected && down) {
      down = false;
      log.info('FreeSWITCH is reachable again', { host: config.eslHost, port: config.eslPort });
    }
  });
  esl.start();
  return esl;
}
