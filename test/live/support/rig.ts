/**
 * The shared environment of the live tier, started once for the whole run: the packaged FreeSWITCH in a
 * temporary folder with the tier's own routes, three SIPp phones, and the service process connected to the
 * switch through a TCP relay (so that a test can drop the event socket link).
 *
 * The package's routes (its README): 1000–1099 ring the extension phone on 127.0.0.1:5070, +1NXXNXXXXXX the
 * contact phone on 127.0.0.1:5072, 1999 rings in the dialplan forever, 2486/2404 are a real SIP 486/404. The
 * tier adds: 1480 and +1NXXNXX0480 ring a phone on 127.0.0.1:5074 that never answers; 1998 rings in its dialplan
 * and is reached nowhere; 1997 rings in its dialplan, then is bridged to the extension phone 3 s later. Numbers
 * ending in 486, 404, 480, 998 and 997 are also what the fake switch plays as busy, unknown, no answer, ringing in
 * the dialplan, and ringing in the dialplan then bridged late.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LiveSwitch } from './freeswitch';
import { livePackage } from './package';
import { Phone } from './phones';
import { freeTcpPort, freeUdpPort } from './ports';
import { ServiceClient } from './service';
import { TcpProxy } from './tcp-proxy';

export type LiveRig = {
  work: string;
  sw: LiveSwitch;
  phones: { extension: Phone; contact: Phone; ring: Phone };
  proxy: TcpProxy;
  svc: ServiceClient;
};

/** How long the contact phone stays in an answered call before it hangs up. */
export const CONTACT_HOLD_MS = 4000;

export const LIVE_ROUTES = `<include>
  <!-- fs-clicktocall live tier: a phone that rings and never answers -->
  <extension name="c2c_live_ring_forever">
    <condition field="destination_number" expression="^(1480|\\+1[2-9]\\d\\d[2-9]\\d\\d0480)$">
      <action application="bridge" data="sofia/internal/$1@127.0.0.1:5074"/>
    </condition>
  </extension>
  <!-- a first party that rings in its dialplan and is reached nowhere (as the package's 1999) -->
  <extension name="c2c_live_dialplan_rings">
    <condition field="destination_number" expression="^1998$">
      <action application="ring_ready"/>
      <action application="park"/>
    </condition>
  </extension>
  <!-- a first party that rings in its dialplan, then is bridged to a phone 3 s later -->
  <extension name="c2c_live_dialplan_rings_then_bridges">
    <condition field="destination_number" expression="^1997$">
      <action application="ring_ready"/>
      <action application="sleep" data="3000"/>
      <action application="bridge" data="sofia/internal/1997@127.0.0.1:5070"/>
    </condition>
  </extension>
</include>
`;

let shared: Promise<LiveRig> | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

/** Registers something to stop at the end of the run (last registered, first stopped). */
export function atEnd(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

/** A temporary folder removed at the end of the run (kept with LIVE_KEEP=1, for a look after a failure). */
export function workDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  atEnd(() => {
    if (process.env['LIVE_KEEP'] !== '1') fs.rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  });
  return dir;
}

/** The phones every switch of the run shares (the package's routes name their ports). */
let phones: Promise<LiveRig['phones']> | undefined;
export function livePhones(): Promise<LiveRig['phones']> {
  phones ??= (async () => {
    const dir = workDir('c2c-live-phones-');
    const started = {
      extension: await Phone.start({
        name: 'extension',
        port: 5070,
        mediaPort: 6000,
        scenario: 'answer',
        dir,
      }),
      contact: await Phone.start({
        name: 'contact',
        port: 5072,
        mediaPort: 6100,
        scenario: 'answer-bye',
        holdMs: CONTACT_HOLD_MS,
        dir,
      }),
      ring: await Phone.start({ name: 'ring', port: 5074, mediaPort: 6200, scenario: 'ring', dir }),
    };
    atEnd(() => Promise.all(Object.values(started).map((p) => p.stop())));
    return started;
  })();
  return phones;
}

export function liveRig(): Promise<LiveRig> {
  shared ??= (async () => {
    const pkg = livePackage();
    if (!pkg) throw new Error('FREESWITCH_PACKAGE is not set');
    const work = workDir('c2c-live-');
    const sw = new LiveSwitch(pkg, path.join(work, 'freeswitch'), {
      eslPort: await freeTcpPort(),
      sipPort: await freeUdpPort(),
      password: 'ClueCon',
    });
    atEnd(() => sw.stop());
    await sw.start();
    await sw.addDefaultRoutes('00-fs-clicktocall-live.xml', LIVE_ROUTES);
    const started = await livePhones();
    const proxy = new TcpProxy(sw.settings.eslPort);
    const proxyPort = await proxy.start();
    atEnd(() => proxy.stop());
    const svc = await ServiceClient.start({
      DB_PATH: path.join(work, 'clicktocall.db'),
      ESL_HOST: '127.0.0.1',
      ESL_PORT: String(proxyPort),
      ESL_PASSWORD: sw.settings.password,
    });
    atEnd(() => svc.stop());
    await svc.waitHealthy();
    return { work, sw, phones: started, proxy, svc };
  })();
  return shared;
}

/** Stops everything the run started. */
export async function stopAll(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`live tier cleanup: ${(err as Error).message}\n`);
    }
  }
}
