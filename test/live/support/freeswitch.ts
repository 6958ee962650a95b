/**
 * A real FreeSWITCH for the live tier: the packaged switch started into a folder of its own with the package's
 * `start.sh`, stopped with its `stop.sh`, and driven the way an admin drives one (`fs_cli -x …`, files in its
 * configuration folder, `reloadxml`). fs_cli, not this project's ESL client, so that what the tests read from
 * the switch does not depend on the code under test.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LivePackage } from './package';
import { pollUntil } from '../../support/poll';

const run = promisify(execFile);

export type SwitchSettings = { eslPort: number; sipPort: number; password: string };

/** Runs a package script and resolves with its output; rejects with the output when it fails. */
function script(file: string, dir: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [file, dir], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(file)} ${dir} exited ${String(code)}: ${out.trim()}`));
    });
  });
}

export class LiveSwitch {
  /** Where the switch runs: its binaries, `etc/freeswitch`, `var/log`. */
  readonly dir: string;
  settings: SwitchSettings;
  private readonly pkg: LivePackage;

  constructor(pkg: LivePackage, dir: string, settings: SwitchSettings) {
    this.pkg = pkg;
    this.dir = dir;
    this.settings = settings;
  }

  /** The configuration folder (`-conf`). */
  get conf(): string {
    return path.join(this.dir, 'etc', 'freeswitch');
  }

  /** The switch's own log file. */
  get logFile(): string {
    return path.join(this.dir, 'var', 'log', 'freeswitch.log');
  }

  /** What FreeSWITCH compiled its configuration into (the preprocessor's output). */
  get compiledConfig(): string {
    return path.join(this.dir, 'var', 'log', 'freeswitch.xml.fsxml');
  }

  private get env(): Record<string, string> {
    return {
      FS_ESL_PORT: String(this.settings.eslPort),
      FS_SIP_PORT: String(this.settings.sipPort),
      FS_ESL_PASSWORD: this.settings.password,
    };
  }

  /** Unpacks on first use, starts, and resolves once the event socket answers `status`. */
  async start(): Promise<void> {
    await script(this.pkg.start, this.dir, this.env, 60_000);
  }

  /** `fsctl shutdown` over the event socket, then the process is made sure to be gone. */
  async stop(): Promise<void> {
    await script(this.pkg.stop, this.dir, this.env, 30_000);
  }

  /** `fs_cli -x <command>` with explicit host, port and password; resolves with what it printed. */
  async cli(
    command: string,
    settings: Pick<SwitchSettings, 'eslPort' | 'password'> = this.settings,
  ): Promise<string> {
    const { stdout } = await run(
      path.join(this.dir, 'bin', 'fs_cli'),
      ['-H', '127.0.0.1', '-P', String(settings.eslPort), '-p', settings.password, '-x', command],
      { env: this.cliEnv(), timeout: 10_000 },
    );
    return stdout;
  }

  /** The environment fs_cli needs (the package's own libraries). */
  cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, LD_LIBRARY_PATH: path.join(this.dir, 'lib'), ...extra };
  }

  /** True when `status` answers "ready" with these settings. */
  async ready(settings: Pick<SwitchSettings, 'eslPort' | 'password'> = this.settings): Promise<boolean> {
    try {
      return /is ready/.test(await this.cli('status', settings));
    } catch {
      return false;
    }
  }

  /** Waits until the switch answers with these settings (e.g. after a restart with a new configuration). */
  async waitReady(settings: SwitchSettings, timeoutMs = 30_000): Promise<void> {
    await pollUntil(`FreeSWITCH ready on port ${settings.eslPort}`, () => this.ready(settings), {
      timeoutMs,
      intervalMs: 250,
    });
    this.settings = settings;
  }

  /** Drops a file of routes into the `default` context (included first) and reloads the XML. */
  async addDefaultRoutes(name: string, xml: string): Promise<void> {
    fs.writeFileSync(path.join(this.conf, 'dialplan', 'default', name), xml);
    const reply = await this.cli('reloadxml');
    if (!reply.includes('+OK')) throw new Error(`reloadxml: ${reply}`);
  }

  /** The last `lines` lines of the switch's log (for a failing test's message). */
  logTail(lines = 40): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
