import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/**
 * Debian's `redis-server` on a free loopback port, for tests: nothing saved to disk, and the
 * eviction policy BullMQ requires (an evicted job key would silently lose a job). Stopped by
 * its own PID, so no test leaves a server behind and none touches another's.
 */
export class RedisServer {
  private output = '';

  private constructor(private readonly child: ChildProcess, readonly port: number) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** `extraArgs` are more `redis-server` options, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const port = await freePort();
    const child = spawn('redis-server', [
      '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', 'noeviction', ...extraArgs,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new RedisServer(child, port);
    await server.waitUntilUp();
    return server;
  }

  /** `redis://127.0.0.1:PORT`: what REDIS_URL is set to. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** A client of this server; the caller quits it. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: null, lazyConnect: false });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    process.kill(this.pid, 'SIGTERM');
    await exited;
  }

  private async waitUntilUp(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`redis-server exited with ${this.child.exitCode}\n${this.output}`);
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not listening yet
      } finally {
        probe.disconnect();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not start\n${this.output}`);
  }
}
