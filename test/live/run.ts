/**
 * `npm run test:live`: the live tier, against a real FreeSWITCH. FREESWITCH_PACKAGE names the folder of the
 * packaged switch (its start.sh); without it the tier is skipped with a message, so the project builds and tests
 * anywhere. With it, a missing piece (the package's scripts, SIPp) is a failure, not a skip.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { livePackage, missingForLive } from './support/package';

function main(): number {
  const pkg = livePackage();
  if (!pkg) {
    process.stdout.write(
      'live tier skipped: FREESWITCH_PACKAGE is not set. Set it to the folder that holds the packaged ' +
        "FreeSWITCH's start.sh and stop.sh to run the tests against a real switch (README, The live tier).\n",
    );
    return 0;
  }
  const missing = missingForLive(pkg);
  if (missing.length > 0) {
    process.stderr.write(`live tier cannot run; missing:\n  ${missing.join('\n  ')}\n`);
    return 1;
  }
  const root = path.resolve(__dirname, '..', '..', '..');
  const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const args = [mocha, '--config', path.join(root, '.mocharc.live.json'), ...process.argv.slice(2)];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  return result.status ?? 1;
}

process.exitCode = main();
