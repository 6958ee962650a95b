import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const MAIN = path.resolve(__dirname, '../../src/main.js');

export type ServiceProcess = {
  child: ChildProcess;
  port: number;
  base: string;
  output: () => string;
  /** The first start's account id and API key (undefined when the database was not empty). */
  accountId?: string;
  apiKey?: string;
};

/** Starts the real service process; resolves once it logged `listening`. */
export function startService(env: Record<string, string>): Promise<ServiceProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    // A deadline for "eventually": a start takes well under a second when idle, a few on a loaded 2-core machine.
    const timer = setTimeout(() => reject(new Error(`no "listening" within 30 s:\n${output}`)), 30_000);
    const onExit = (code: number | null) => reject(new Error(`exited ${code} before listening:\n${output}`));
    child.on('exit', onExit);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /"message":"listening"[^\n]*"port":(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.off('exit', onExit);
        const port = Number(m[1]);
        const accountId = /account_id:\s+([0-9a-f]{32})/.exec(output)?.[1];
        const apiKey = /api_key:\s+([0-9a-f]{64})/.exec(output)?.[1];
        resolve({
          child,
          port,
          base: `http://127.0.0.1:${port}`,
          output: () => output,
          ...(accountId && { accountId }),
          ...(apiKey && { apiKey }),
        });
      }
    });
  });
}

/** Sends a signal and resolves with the exit code (or the signal name). */
export function stopService(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | string | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode ?? child.signalCode);
      return;
    }
    child.once('exit', (code, sig) => resolve(code ?? sig));
    child.kill(signal);
  });
}

/** A token for the API key, through `PUT /v2/api_auth`. */
export async function tokenFor(base: string, apiKey: string): Promise<string> {
  const res = await fetch(`${base}/v2/api_auth`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ data: { api_key: apiKey } }),
  });
  return ((await res.json()) as { auth_token: string }).auth_token;
}
