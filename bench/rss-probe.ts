/**
 * Row 5 alone, for investigating memory: `node dist/bench/rss-probe.js [calls] [node flags…]`.
 * Prints the service's RSS idle, after the calls, and after the calls settle.
 */
import autocannon from 'autocannon';
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { api, ask, forkReady, rssMb, startService } from './lib/proc';

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 10_000);
  const execArgv = process.argv.slice(3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c2c-rss-'));
  const sw = await forkReady('switch-proc', ['real']);
  const svc = await startService({ dbPath: path.join(dir, 'rss.db'), eslPort: sw.port, execArgv });
  try {
    const { auth_token: token } = await api<{ auth_token: string }>(svc.base, 'PUT', '/v2/api_auth', {
      body: { data: { api_key: svc.apiKey } },
    });
    const cfg = (
      await api<{ data: { id: string } }>(
        svc.base,
        'PUT',
        `/v2/accounts/${svc.accountId ?? ''}/clicktocall`,
        {
          token,
          body: { data: { name: 'Probe', extension: '2999' } },
        },
      )
    ).data.id;
    const url = `${svc.base}/v2/accounts/${svc.accountId ?? ''}/clicktocall/${cfg}/connect?contact=%2B15551234567`;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const idle = rssMb(svc.pid);
    await new Promise<void>((resolve, reject) => {
      autocannon(
        { url, connections: 20, amount: calls, headers: { 'X-Auth-Token': token } },
        (err: Error | null) => (err ? reject(err) : resolve()),
      );
    });
    const after = rssMb(svc.pid);
    let stats = await ask<{ activeCalls: number }>(sw.proc, 'stats');
    for (let i = 0; i < 50 && stats.activeCalls < calls; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stats = await ask<{ activeCalls: number }>(sw.proc, 'stats');
    }
    await new Promise((resolve) => setTimeout(resolve, Number(process.env['RSS_PROBE_SETTLE_MS'] ?? 3000)));
    if (process.env['RSS_PROBE_SNAPSHOT']) {
      process.kill(svc.pid, 'SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 8000));
    }
    const metrics = await fetch(`${svc.base}/metrics`).then((r) => r.text());
    for (const line of metrics.split('\n'))
      if (
        /^nodejs_(heap_size_(used|total)_bytes|external_memory_bytes|heap_space_size_used_bytes\{space="(old|new|code|large_object)_space"\})/.test(
          line,
        )
      )
        process.stdout.write(
          `  ${line.replace(/ (\d+)$/, (_m, n: string) => ` ${(Number(n) / 1e6).toFixed(1)} MB`)}\n`,
        );
    const status = fs.readFileSync(`/proc/${svc.pid}/status`, 'utf8');
    const kinds: Record<string, number> = Object.fromEntries(
      [...status.matchAll(/^(RssAnon|RssFile|RssShmem):\s+(\d+) kB$/gm)].map((m): [string, number] => [
        m[1] ?? '',
        Math.round(Number(m[2]) / 1024),
      ]),
    );
    process.stdout.write(
      `${JSON.stringify({ calls, execArgv, idle, after, settled: rssMb(svc.pid), active: stats.activeCalls, ...kinds })}\n`,
    );
  } finally {
    await svc.stop();
    await sw.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
