import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/engine/user-error.js';
import type { Job } from '../../src/queue/job.js';
import { RedisJobQueue } from '../../src/queue/redis-job-queue.js';
import { RedisServer } from '../support/redis-server.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const base = { installationId: 7, reason: 'release', explicit: false } as const;
const update = (repo: string, targetRef: string): Job => ({ ...base, kind: 'update', repo: { owner: 'acme', repo }, targetRef, template: 'acme/tpl' });
const name = (job: Job) => ('repo' in job ? job.repo.repo : '(installation)');
const gatewayError = () => Object.assign(new Error('GitHub answered 502'), { status: 502 });

let redis: RedisServer;
const open: RedisJobQueue[] = [];
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.close(100)));
});
afterAll(async () => {
  await redis.stop();
});

/** A queue on the test Redis, as one process of the app holds it. */
function queue(options: { attempts?: number; errors?: unknown[]; deadlineMs?: number; warnings?: string[]; url?: string } = {}): RedisJobQueue {
  const q = new RedisJobQueue({
    url: options.url ?? redis.url, concurrency: 4, deadlineMs: () => options.deadlineMs ?? 30_000, attempts: options.attempts ?? 3,
    backoffMs: 50, lockMs: 1000, onError: (error) => options.errors?.push(error),
    log: { ...quiet, warn: (_fields: object, message?: string) => void options.warnings?.push(message ?? '') },
  });
  open.push(q);
  return q;
}

async function flush(): Promise<void> {
  const client = redis.client();
  await client.flushall();
  client.disconnect();
}

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the Redis job queue (BullMQ on a real redis-server)', () => {
  it('equal jobs collapse while queued (a release delivered 100 times is one job per repository); a newer target supersedes a queued older one', async () => {
    await flush();
    const web = queue();
    for (let delivery = 0; delivery < 100; delivery++) await web.enqueue(update('orders', 'v1.1.0'));
    await web.enqueue(update('payments', 'v1.1.0'));
    await web.enqueue(update('payments', 'v1.2.0'));
    await web.enqueue(update('billing', 'v1.2.0'));
    await web.enqueue(update('billing', 'v1.1.0')); // older while a newer waits: adds nothing
    await expect(web.enqueue({ ...update('orders', 'v1'), repo: { owner: 'acme', repo: 'a:b' } } as Job)).rejects.toThrow();
    expect(await web.stats()).toEqual({ waiting: 4, running: 0, delayed: 0, failed: 0 });
    const ran: string[] = [];
    const worker = queue();
    worker.work((job) => {
      ran.push(`${name(job)}@${job.targetRef}`);
      return Promise.resolve();
    });
    await worker.onIdle();
    expect(ran.sort()).toEqual(['billing@v1.2.0', 'orders@v1.1.0', 'payments@v1.2.0']);
  });

  it('two processes never run one repository\'s jobs at the same time, and share the others', async () => {
    await flush();
    const [a, b] = [queue(), queue()];
    const running = new Map<string, number>();
    let most = 0;
    const ranIn = new Set<string>();
    const runner = (process: string) => async (job: Job) => {
      ranIn.add(process);
      const key = name(job);
      running.set(key, (running.get(key) ?? 0) + 1);
      most = Math.max(most, running.get(key)!);
      await new Promise((resolve) => setTimeout(resolve, 100));
      running.set(key, running.get(key)! - 1);
    };
    for (const head of ['1', '2', '3', '4', '5', '6']) {
      // Different kinds of work on one repository: none collapses with another.
      await a.enqueue({ ...base, kind: 'refresh-after-push', repo: { owner: 'acme', repo: 'payments' }, pushedHead: head.repeat(40), answersChanged: false });
      await a.enqueue({ ...base, kind: 'refresh-after-push', repo: { owner: 'acme', repo: 'orders' }, pushedHead: head.repeat(40), answersChanged: false });
    }
    a.work(runner('a'));
    b.work(runner('b'));
    await a.onIdle();
    expect(most).toBe(1);
    expect([...ranIn].sort()).toEqual(['a', 'b']);
  });

  it('a failure that can pass (a 5xx) is retried with backoff; a person\'s mistake is not, goes to onError once and counts as failed', async () => {
    await flush();
    const errors: unknown[] = [];
    const q = queue({ attempts: 3, errors });
    const tries = new Map<string, number>();
    q.work((job) => {
      const count = (tries.get(name(job)) ?? 0) + 1;
      tries.set(name(job), count);
      if (name(job) === 'flaky' && count < 3) return Promise.reject(gatewayError());
      return name(job) === 'broken' ? Promise.reject(new UserError('answers file is not YAML')) : Promise.resolve();
    });
    await q.enqueue(update('flaky', 'v1'));
    await q.enqueue(update('broken', 'v1'));
    await q.onIdle();
    expect(Object.fromEntries(tries)).toEqual({ flaky: 3, broken: 1 });
    expect(errors.map(String)).toEqual([expect.stringContaining('answers file is not YAML')]);
    expect(await q.stats()).toEqual({ waiting: 0, running: 0, delayed: 0, failed: 1 });
  });

  it('a job that exhausts its retries is reported and counted; the same job queued later (the next reconcile) runs again', async () => {
    await flush();
    const errors: unknown[] = [];
    const q = queue({ attempts: 2, errors });
    let tries = 0;
    q.work(() => {
      tries++;
      return tries <= 2 ? Promise.reject(gatewayError()) : Promise.resolve();
    });
    await q.enqueue(update('payments', 'v1'));
    await q.onIdle();
    expect(tries).toBe(2);
    expect(errors.map(String)).toEqual(['Error: GitHub answered 502']);
    expect(await q.stats()).toMatchObject({ failed: 1 });
    await q.enqueue(update('payments', 'v1'));
    await q.onIdle();
    expect(tries).toBe(3);
  });

  it('a job past its deadline is stopped (its signal aborts) and tried again', async () => {
    await flush();
    const q = queue({ deadlineMs: 300, attempts: 2 });
    const reasons: string[] = [];
    q.work(async (_job, signal) => {
      if (reasons.length > 0) return;
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      reasons.push((signal.reason as Error).name);
    });
    await q.enqueue(update('payments', 'v1'));
    await q.onIdle();
    expect(reasons).toEqual(['JobDeadlineError']);
    expect(await q.stats()).toMatchObject({ failed: 0 });
  });

  it('cancelling a repository removes its queued job and stops its running one, in every process', async () => {
    await flush();
    const web = queue();
    const worker = queue();
    const stopped: string[] = [];
    const ran: string[] = [];
    worker.work(async (job, signal) => {
      if (name(job) !== 'running') {
        ran.push(name(job));
        return;
      }
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      stopped.push((signal.reason as Error).name);
    });
    await web.enqueue(update('running', 'v1'));
    await until('the job runs', async () => (await web.stats()).running === 1);
    await web.enqueue(update('payments', 'v1'), { delayMs: 60_000 });
    expect(await web.drop(7, ['ACME/payments', 'acme/running'])).toBe(1); // the queued one; the running one is another process's
    await until('the running job is stopped', () => stopped.length === 1);
    expect(stopped).toEqual(['JobDroppedError']);
    await worker.onIdle();
    expect(ran).toEqual([]);
    expect(await web.stats()).toEqual({ waiting: 0, running: 0, delayed: 0, failed: 0 });
  });

  it('at shutdown, a job still running after the grace period is handed back and runs again in another process', async () => {
    await flush();
    const first = queue();
    const seen: string[] = [];
    first.work(async (_job, signal) => {
      seen.push('first');
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      throw signal.reason;
    });
    await first.enqueue(update('payments', 'v1'));
    await until('the first process runs the job', () => seen.length === 1);
    await first.close(200);
    const second = queue();
    second.work(() => {
      seen.push('second');
      return Promise.resolve();
    });
    await second.onIdle();
    expect(seen).toEqual(['first', 'second']);
    expect(await second.stats()).toMatchObject({ failed: 0 });
  });

  it('warns when Redis may evict queued jobs (maxmemory-policy is not noeviction)', async () => {
    const evicting = await RedisServer.start(['--maxmemory-policy', 'allkeys-lru']);
    try {
      const warnings: string[] = [];
      await queue({ url: evicting.url, warnings }).checkRedis();
      await queue({ warnings: [] }).checkRedis();
      expect(warnings).toEqual([expect.stringContaining('maxmemory-policy is not noeviction')]);
      await Promise.all(open.splice(0).map((q) => q.close(100)));
    } finally {
      await evicting.stop();
    }
  });
});
