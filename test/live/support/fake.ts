/**
 * The same service process against the fake switch (the recordings), for the tests that check that the fake
 * switch and the real one agree on what a call becomes.
 */
import path from 'node:path';
import { FakeSwitch } from '../../../fake-switch/server';
import { atEnd, workDir } from './rig';
import type { CallRecord } from './service';
import { ServiceClient } from './service';

let shared: Promise<ServiceClient> | undefined;

/** A service process connected to a fake switch playing the recordings twenty times faster. */
export function fakeService(): Promise<ServiceClient> {
  shared ??= (async () => {
    const fake = new FakeSwitch({ speed: 20 });
    const { port } = await fake.start();
    atEnd(() => fake.stop());
    const svc = await ServiceClient.start({
      DB_PATH: path.join(workDir('c2c-live-fake-'), 'clicktocall.db'),
      ESL_PORT: String(port),
    });
    atEnd(() => svc.stop());
    await svc.waitHealthy();
    return svc;
  })();
  return shared;
}

/**
 * What a call became, without its times and uuids: what the recordings and the live switch must agree on. A leg's
 * `destination` is left out: on the packaged switch 2486/2404 reach their SIP leg through a hairpin as 1486/1404,
 * a route of that test switch, which the fake switch plays as the party's own number.
 */
export function outcomeOf(r: CallRecord): Record<string, unknown> {
  return {
    status: r.status,
    result: r.result,
    cause: r.cause,
    hangup_cause: r.hangup_cause,
    hung_up_by: r.hung_up_by,
    answered: r.answered_at !== undefined,
    bridged: r.bridged_at !== undefined,
    legs: Object.fromEntries(
      Object.entries(r.legs).map(([name, leg]) => [
        name,
        {
          answered: leg.answered_at !== undefined,
          hangup_cause: leg.hangup_cause,
          sip_status: leg.sip_status,
        },
      ]),
    ),
  };
}
