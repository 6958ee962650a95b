import { EslClient } from '../esl';
import { CALL_SUBSCRIPTION } from './calls/subscription';
import type { SwitchConfig } from './config';
import type { Logger } from './logger';

/** What an outage looks like to an operator: the switch cannot be reached, or it refused the password. */
type Outage = 'unreachable' | 'auth';

/**
 * The ESL connection to one switch, started at once and reconnected forever. Logs in plain words, once per
 * outage (not once per retry), when the switch is unreachable or refuses the password, and when it is back; a
 * deliberate close says nothing. On every connection it checks that the dialplan context of the calls exists.
 */
export function startSwitchLink(sw: SwitchConfig, dialplanContext: string, logger: Logger): EslClient {
  const log = logger.child({ module: 'esl' });
  const where = { switch: sw.name, host: sw.host, port: sw.port };
  const esl = new EslClient({
    host: sw.host,
    port: sw.port,
    password: sw.password,
    logger: log,
    subscription: CALL_SUBSCRIPTION,
  });
  let down: Outage | undefined;
  esl.on('state', (health) => {
    if (health.connected) {
      if (down !== undefined) log.info('FreeSWITCH is reachable again', where);
      down = undefined;
      return;
    }
    if (health.lastError === undefined) return; // not tried yet, or closed on purpose
    const outage: Outage = health.lastErrorCode === 'ESL_AUTH' ? 'auth' : 'unreachable';
    if (outage === down) return;
    down = outage;
    if (outage === 'auth')
      log.warn(
        'FreeSWITCH refused the event socket password (authentication refused); connects answer 503 until ESL_PASSWORD matches the password of its event_socket.conf.xml',
        where,
      );
    else
      log.warn('FreeSWITCH is not reachable; connects answer 503 until it is', {
        ...where,
        error: health.lastError,
      });
  });
  esl.on('connected', () => void checkDialplanContext(esl, dialplanContext, log));
  esl.start();
  return esl;
}

/**
 * Asks the switch whether the calls' dialplan context exists (`xml_locate dialplan context name <ctx>`, a
 * read-only lookup) and warns when it says it has none: every call would then fail at once. Any other answer (a
 * switch without the command, a timeout) says nothing either way.
 */
async function checkDialplanContext(esl: EslClient, context: string, log: Logger): Promise<void> {
  try {
    const answer = await esl.api(`xml_locate dialplan context name ${context}`, { timeoutMs: 5000 });
    if (answer.trimStart().startsWith('<context'))
      log.info('dialplan context found on the switch', { context });
    else if (/can't find anything/i.test(answer))
      log.warn(
        'dialplan context not found on the switch: calls will fail until it exists (DIALPLAN_CONTEXT)',
        {
          context,
        },
      );
  } catch (err) {
    log.debug('dialplan context not checked', { context, error: (err as Error).message });
  }
}
