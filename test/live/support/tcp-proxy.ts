/**
 * A TCP relay between the service and the switch's event socket, so that a test can drop the link the way a
 * network does (both sockets reset) while the switch and its calls go on.
 */
import net from 'node:net';

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private targetPort: number;

  constructor(targetPort: number) {
    this.targetPort = targetPort;
  }

  /** Listens on an ephemeral port of 127.0.0.1; resolves with it. */
  start(): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    return new Promise((resolve) => {
      this.server?.listen(0, '127.0.0.1', () => resolve((this.server?.address() as net.AddressInfo).port));
    });
  }

  /** How many links are up. */
  get links(): number {
    return this.pairs.size;
  }

  /** Resets every link now (new ones are relayed again at once). */
  cut(): void {
    for (const [a, b] of [...this.pairs]) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.pairs.clear();
  }

  stop(): Promise<void> {
    this.cut();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
