import { DelayedError, Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import type { Log } from '../workflows/log.js';
import { JobDeadlineError, JobDroppedError } from './job-errors.js';
import { jobIdentity, readJob, repositoryKey, type Job } from './job.js';
import type { JobQueue, JobRunner, JobStats } from './job-queue.js';
import { RepositoryLocks, type RepositoryLock } from './repository-locks.js';
import { isRetryable } from './retryable.js';
import { UpdateSlots } from './update-slots.js';

const QUEUE_NAME = 'template-drift';
const CANCELLED_PREFIX = 'template-drift:cancelled:';
/** A cancellation outlives every job queued before it: deadlines and retries take far less than a week. */
const CANCELLED_TTL_S = 7 * 24 * 3600;
/** Failed jobs are kept this long for the status endpoint's count (the next reconcile queues the work again). */
const FAILED_KEPT_S = 7 * 24 * 3600;

export interface RedisJobQueueOptions {
  readonly url: string;
  /** Jobs this process runs at the same time. */
  readonly concurrency: number;
  readonly deadlineMs: (job: Job) => number;
  /** A job that failed for good: out of retries, or not worth retrying. */
  readonly onError: (error: unknown, job: Job) => void;
  readonly log: Log;
  /** Tries per job (the first included) for failures that can pass. */
  readonly attempts: number;
  /** The first retry's delay; each next one doubles (BullMQ's exponential backoff). */
  readonly backoffMs: number;
  /**
   * How long a process's claim on a running job lasts without renewal (BullMQ's lock, and the
   * repository's): a killed worker's job runs again elsewhere after about twice this long.
   */
  readonly lockMs: number;
}

/**
 * The JobQueue on BullMQ over Redis (REDIS_URL): jobs survive the process that queued them, and
 * any number of processes share them. BullMQ does the storing, the deduplication (a job's
 * identity is its deduplication id, held while it is queued or running), the retries with
 * exponential backoff, the delays and the recovery of a killed worker's job (its lock lapses and
 * BullMQ's stalled-job check puts it back in line). What BullMQ's open-source edition lacks is
 * groups: jobs of one repository must never run at the same time in two processes, so a worker
 * holds a per-repository lock in Redis while it runs a job (repository-locks.ts), and a job whose
 * repository is busy elsewhere waits for it, as running. A newer target supersedes a queued
 * older update through update-slots.ts. Installations are not given fair shares here: each
 * process runs `concurrency` jobs in the order they were queued.
 */
export class RedisJobQueue implements JobQueue {
  private readonly connection: Redis;
  private readonly queue: Queue;
  private readonly locks: RepositoryLocks;
  private readonly slots: UpdateSlots;
  private worker?: Worker;
  /** Jobs running in this process, by BullMQ id: so a cancel or a shutdown reaches them at once. */
  private readonly running = new Map<string, { job: Job; controller: AbortController }>();

  constructor(private readonly options: RedisJobQueueOptions) {
    // BullMQ asks for no per-request retry limit on the connections its workers block on.
    this.connection = new Redis(options.url, { maxRetriesPerRequest: null });
    this.connection.on('error', (error) => options.log.error({ err: error }, 'redis connection error'));
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection });
    this.locks = new RepositoryLocks(this.connection, options.lockMs);
    this.slots = new UpdateSlots(this.connection);
  }

  /**
   * Warns when Redis may evict keys: an evicted job is a job lost without a trace, so BullMQ asks
   * for `maxmemory-policy noeviction`. https://docs.bullmq.io/guide/going-to-production#max-memory-policy
   */
  async checkRedis(): Promise<void> {
    try {
      const [, policy] = (await this.connection.config('GET', 'maxmemory-policy')) as [string, string];
      if (policy !== 'noeviction') {
        this.options.log.warn({ policy }, 'Redis maxmemory-policy is not noeviction: Redis may evict queued jobs; set maxmemory-policy noeviction');
      }
    } catch (error) {
      // Managed Redis services often refuse CONFIG; their documentation says how to set the policy.
      this.options.log.warn({ err: error }, 'could not read Redis maxmemory-policy; it must be noeviction');
    }
  }

  async enqueue(input: Job, options: { readonly delayMs?: number } = {}): Promise<void> {
    const job = readJob(structuredClone(input));
    // An older target arriving while a newer one waits or runs adds nothing (the newer one's PR is the update).
    if (job.kind === 'update' && (await this.slots.outdated(job))) return;
    const added = await this.queue.add(job.kind, job, {
      deduplication: { id: jobIdentity(job) },
      attempts: this.options.attempts,
      backoff: { type: 'exponential', delay: this.options.backoffMs },
      ...(options.delayMs && { delay: options.delayMs }),
      removeOnComplete: true,
      removeOnFail: { age: FAILED_KEPT_S },
    });
    if (job.kind === 'update' && added.id) await this.slots.queued(job, added.id);
  }

  async drop(installationId: number, repositories?: readonly string[]): Promise<number> {
    const keys = repositories ? repositories.map((name) => `${installationId}/${name}`.toLowerCase()) : [String(installationId)];
    // Every process's running jobs read these marks while they run, and a job read them when it starts.
    const marks = this.connection.multi();
    for (const key of keys) marks.set(`${CANCELLED_PREFIX}${key}`, String(Date.now()), 'EX', CANCELLED_TTL_S);
    await marks.exec();
    let dropped = 0;
    for (const queued of await this.queue.getJobs(['waiting', 'delayed', 'prioritized'])) {
      const job = safeRead(queued.data);
      if (!queued.id || !job || !matches(job, installationId, keys)) continue;
      if ((await this.queue.remove(queued.id)) === 1) dropped++;
    }
    for (const entry of this.running.values()) {
      if (!matches(entry.job, installationId, keys)) continue;
      entry.controller.abort(new JobDroppedError());
      dropped++;
    }
    return dropped;
  }

  work(runner: JobRunner): void {
    this.worker = new Worker(QUEUE_NAME, (bullJob, token) => this.process(bullJob, token, runner), {
      connection: this.connection.duplicate(),
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockMs,
      stalledInterval: Math.max(500, Math.round(this.options.lockMs / 2)),
      // A job whose worker died twice is failed, not run forever.
      maxStalledCount: 2,
    });
    this.worker.on('failed', (bullJob, error) => {
      const job = bullJob && safeRead(bullJob.data);
      if (!bullJob || !job) return;
      const final = error instanceof UnrecoverableError || bullJob.attemptsMade >= (bullJob.opts.attempts ?? 1);
      if (!final) {
        this.options.log.warn({ err: error, kind: job.kind, attempt: bullJob.attemptsMade }, 'queued job failed; it will be retried');
        return;
      }
      this.options.onError(error, job);
      if (job.kind === 'update' && bullJob.id) void this.slots.finished(job, bullJob.id).catch(() => undefined);
    });
    this.worker.on('error', (error) => this.options.log.error({ err: error }, 'queue worker error'));
  }

  private async process(bullJob: BullJob, token: string | undefined, runner: JobRunner): Promise<void> {
    const job = safeRead(bullJob.data);
    if (!job) throw new UnrecoverableError('not a template-drift job');
    const id = bullJob.id ?? '';
    if (await this.cancelledSince(job, bullJob.timestamp)) return;
    if (job.kind === 'update' && (await this.slots.superseded(job, id))) {
      this.options.log.info({ repository: `${job.repo.owner}/${job.repo.repo}`, target: job.targetRef }, 'queued update superseded by a newer target');
      return;
    }
    const controller = new AbortController();
    this.running.set(id, { job, controller });
    const seconds = Math.round(this.options.deadlineMs(job) / 1000);
    const deadline = setTimeout(() => controller.abort(new JobDeadlineError(seconds)), this.options.deadlineMs(job));
    let lock: RepositoryLock | undefined;
    const watch = setInterval(() => void this.watch(job, bullJob.timestamp, lock, controller).catch(() => undefined), Math.max(200, Math.round(this.options.lockMs / 3)));
    try {
      lock = await this.repositoryLock(job, controller.signal);
      await runner(job, controller.signal);
      controller.signal.throwIfAborted();
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof JobDroppedError) return;
      if (reason instanceof HandedBack) {
        // Shutting down: the job goes back in line as it was (its tries untouched) and runs again elsewhere.
        await bullJob.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (!isRetryable(reason)) throw new UnrecoverableError(reason instanceof Error ? reason.message : String(reason));
      throw reason instanceof Error ? reason : new Error(String(reason));
    } finally {
      clearTimeout(deadline);
      clearInterval(watch);
      this.running.delete(id);
      await lock?.release().catch(() => undefined);
    }
    if (job.kind === 'update') await this.slots.finished(job, id);
  }

  /**
   * The repository's lock, waited for while another process runs one of its jobs (the job counts
   * as running meanwhile). A killed holder's lock lapses after `lockMs`.
   */
  private async repositoryLock(job: Job, signal: AbortSignal): Promise<RepositoryLock> {
    for (;;) {
      const lock = await this.locks.acquire(repositoryKey(job));
      if (lock) return lock;
      signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, this.options.lockMs / 4)));
      signal.throwIfAborted();
    }
  }

  /** While a job runs: its repository lock is renewed (lost: the job stops), and a cancel reaches it. */
  private async watch(job: Job, queuedAt: number, lock: RepositoryLock | undefined, controller: AbortController): Promise<void> {
    if (lock && !(await lock.renew())) controller.abort(new Error('the repository lock was lost'));
    if (await this.cancelledSince(job, queuedAt)) controller.abort(new JobDroppedError());
  }

  private async cancelledSince(job: Job, queuedAt: number): Promise<boolean> {
    const marks = await this.connection.mget(`${CANCELLED_PREFIX}${job.installationId}`, `${CANCELLED_PREFIX}${repositoryKey(job)}`);
    return marks.some((mark) => mark !== null && Number(mark) >= queuedAt);
  }

  /**
   * Stops taking jobs; running ones get `graceMs` to finish, then are handed back (they run again
   * in another process, or in this one's successor) and the connections close.
   */
  async close(graceMs: number): Promise<void> {
    if (this.worker) {
      const closing = this.worker.close();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
      if ((await Promise.race([closing, grace])) === 'late') {
        for (const entry of this.running.values()) entry.controller.abort(new HandedBack());
      }
      clearTimeout(timer);
      await closing;
    }
    await this.queue.close();
    await this.connection.quit().catch(() => undefined);
  }

  async stats(): Promise<JobStats> {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      running: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  /** Nothing waiting, delayed or running, in any process (tests). */
  async onIdle(): Promise<void> {
    for (;;) {
      const stats = await this.stats();
      if (stats.waiting + stats.running + stats.delayed === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The job was stopped because its process is shutting down, not because it failed. */
class HandedBack extends Error {
  override readonly name = 'HandedBack';

  constructor() {
    super('the process is shutting down; the job is handed back to the queue');
  }
}

function safeRead(data: unknown): Job | undefined {
  try {
    return readJob(data);
  } catch {
    return undefined;
  }
}

/** Whether `job` is among the cancelled: its installation's (`keys` = [id]) or one of its repositories'. */
function matches(job: Job, installationId: number, keys: readonly string[]): boolean {
  if (job.installationId !== installationId) return false;
  return keys.includes(String(installationId)) || keys.includes(repositoryKey(job));
}
