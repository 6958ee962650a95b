/**
 * Where the live tier finds the real FreeSWITCH and SIPp. The setting `FREESWITCH_PACKAGE` names the folder that
 * holds the packaged switch's `start.sh` and `stop.sh` (and its tarball); it is the only way the tests reach a
 * switch outside the repository.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type LivePackage = { dir: string; start: string; stop: string };

/** The package named by FREESWITCH_PACKAGE, or undefined when the setting is absent. */
export function livePackage(env: NodeJS.ProcessEnv = process.env): LivePackage | undefined {
  const named = env['FREESWITCH_PACKAGE'];
  if (named === undefined || named === '') return undefined;
  const dir = path.resolve(named);
  return { dir, start: path.join(dir, 'start.sh'), stop: path.join(dir, 'stop.sh') };
}

/** What is missing for the live tier to run with this package (empty when nothing is). */
export function missingForLive(pkg: LivePackage): string[] {
  const missing: string[] = [];
  for (const file of [pkg.start, pkg.stop])
    if (!fs.existsSync(file)) missing.push(`${file} (FREESWITCH_PACKAGE=${pkg.dir})`);
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
  } catch (err) {
    // `sipp -v` exits 99 after printing its version: only a missing binary is a problem.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') missing.push('sipp (Debian package sip-tester)');
  }
  return missing;
}

/** The SIPp scenarios of the live tier (source files, read by SIPp at run time). */
export const SIPP_SCENARIOS = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'live', 'sipp');
