import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.js';
import type { LocalGitHub } from '../local-github/index.js';

const SERVER_SCRIPT = fileURLToPath(new URL('../../../dist/app/server.js', import.meta.url));
const WORKER_SCRIPT = fileURLToPath(new URL('../../../dist/app/worker.js', import.meta.url));
const STATUS_PATH = '/template-drift/status';

export interface AppProcessOptions {
  readonly github: LocalGitHub;
  readonly appId: number;
  readonly privateKey: string;
  readonly webhookSecret: string;
  readonly cacheDir: string;
  /** Extra environment, e.g. LOG_LEVEL. */
  readonly env?: Readonly<Record<string, string>>;
  /** `npm run worker` (jobs from Redis only, no webhook route) instead of `npm start`. */
  readonly worker?: boolean;
}

/** An RSA key the app signs its JWTs with; made at run time, never committed. */
export function generateAppKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/**
 * The app as a user runs it: its own Node process on the built server (what `npm start` runs),
 * configured only through the environment Probot documents (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET,
 * GHE_HOST / GHE_PROTOCOL pointing at the local GitHub).
 */
export class AppProcess {
  private output = '';

  private constructor(private readonly child: ChildProcess, readonly url: string) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [options.worker ? WORKER_SCRIPT : SERVER_SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        APP_ID: String(options.appId),
        PRIVATE_KEY: options.privateKey,
        WEBHOOK_SECRET: options.webhookSecret,
        ...options.github.probotEnv(),
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        TEMPLATE_DRIFT_CACHE_DIR: options.cacheDir,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(child, `http://127.0.0.1:${port}`);
    await app.waitUntilUp();
    if (!options.worker) options.github.webhookUrl = `${app.url}/api/github/webhooks`;
    return app;
  }

  /** The app's process id (for reading /proc). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The most memory the process has held so far (VmHWM, Linux's peak resident set), in bytes. */
  async peakMemory(): Promise<number> {
    const status = await readFile(`/proc/${this.child.pid}/status`, 'utf8');
    const kilobytes = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    if (kilobytes === undefined) throw new Error(`no VmHWM in /proc/${this.child.pid}/status`);
    return Number(kilobytes) * 1024;
  }

  /**
   * The answers to a /ping asked every 100 ms while `work` runs: each must come, since a render
   * that held the app's event loop for long would make them time out.
   */
  async pingsDuring(work: () => Promise<unknown>): Promise<number[]> {
    const pings: Promise<number>[] = [];
    const timer = setInterval(() => pings.push(fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(10_000) }).then((response) => response.status)), 100);
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
    return Promise.all(pings);
  }

  /** What the app printed: its log, for a failing test's message or the demo. */
  get log(): string {
    return this.output;
  }

  /**
   * Waits until the app has no work in hand and the local GitHub has no webhook in flight, twice
   * in a row: the app's own actions (a PR, a comment) make GitHub send webhooks back to it.
   */
  async settle(github: LocalGitHub, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietRounds = 0;
    while (quietRounds < 2) {
      if (Date.now() > deadline) throw new Error(`the app did not settle within ${timeoutMs} ms\n${this.output}`);
      await github.idle();
      const status = (await readStatus(`${this.url}${STATUS_PATH}`)) as { idle: boolean };
      quietRounds = status.idle ? quietRounds + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  /** SIGTERM, without waiting for the process to exit (the exit is `exited`). */
  terminate(): void {
    this.child.kill('SIGTERM');
  }

  /** Resolves with the exit code once the process has ended. */
  get exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** `kill -9`: the process ends at once, in the middle of whatever it was doing. */
  async crash(): Promise<void> {
    await this.kill('SIGKILL');
  }

  private async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }

  private async waitUntilUp(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`the app exited with ${this.child.exitCode}\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/ping`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the app did not start\n${this.output}`);
  }
}

/**
 * The status on a connection of its own: a pooled keep-alive socket that the app's server closes
 * while the poll waits on the local GitHub (longer than its 5 s keep-alive) fails the next fetch
 * with "other side closed", which is no sign of the app being unwell.
 */
export function readStatus(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      response.on('error', reject);
    }).on('error', reject);
  });
}
