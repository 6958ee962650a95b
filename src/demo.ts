import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * `npm run demo`: the fake switch (127.0.0.1:8021) and the service (127.0.0.1:8000) together, for a
 * first try without FreeSWITCH. Each line is prefixed with the process it came from; Ctrl-C stops both.
 */
const root = path.resolve(__dirname, '..', '..');
const children: ChildProcess[] = [];

function run(name: string, script: string, args: string[]): void {
  const child = spawn(process.execPath, [path.join(root, script), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((line) => process.stdout.write(`[${name}] ${line}\n`));
  child.stdout?.on('data', prefix);
  child.stderr?.on('data', prefix);
  child.on('exit', (code) => {
    process.stdout.write(`[${name}] exited ${code ?? 'by signal'}\n`);
    stop();
  });
  children.push(child);
}

function stop(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}

process.once('SIGINT', stop);
process.once('SIGTERM', stop);
run('fake-switch', 'dist/fake-switch/cli.js', ['--port', process.env['ESL_PORT'] ?? '8021']);
setTimeout(() => run('service', 'dist/src/main.js', []), 300);
