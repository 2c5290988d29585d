import { InProcessQueue } from './in-process-queue.js';
import { jobIdentity, jobRepository, readJob, slotOf, supersedes, type Job } from './job.js';
import type { JobQueue, JobRunner, JobStats } from './job-queue.js';
import { isRetryable } from './retryable.js';

/** How often a job that failed for now is tried (TEMPLATE_DRIFT_JOB_ATTEMPTS and _RETRY_DELAY_S, as with Redis). */
export interface LocalRetries {
  /** Tries in all, the first one included; 1 never retries. */
  readonly attempts: number;
  /** The first retry's delay; each next one doubles. */
  readonly backoffMs: number;
  /** A try failed and the job waits `delayMs` for the next one (`attempt` is the try that failed). */
  readonly onRetry: (error: unknown, job: Job, attempt: number, delayMs: number) => void;
}

export interface LocalJobQueueOptions {
  readonly concurrency: number;
  /** Slots one installation may hold at once (the rest stay free for the others). */
  readonly perInstallation?: number;
  /** Each job's deadline in ms, by job (a command's own answer comes after its update's deadline). */
  readonly deadlineMs: (job: Job) => number;
  /** A job failed or passed its deadline (a cancelled or superseded job is not an error). */
  readonly onError: (error: unknown, job: Job) => void;
  /** Without it a failed job is reported at once; with it, what can pass (`isRetryable`) is tried again first. */
  readonly retries?: LocalRetries;
}

interface Pending {
  readonly job: Job;
  started: boolean;
  superseded: boolean;
}

/**
 * The default JobQueue: the in-process scheduler (fair between installations, one job per
 * repository at a time, deadlines, cancelling) over job records. No setup, and no durability:
 * a job queued here is gone when the process is, and the next start's reconcile scan queues
 * it again. Records are copied and validated as they are queued, so a job never depends on
 * anything its caller kept (the same records a worker reads back from Redis).
 */
export class LocalJobQueue implements JobQueue {
  private readonly tasks: InProcessQueue;
  /** Queued or running jobs by identity: an equal job collapses into the one there. */
  private readonly pending = new Map<string, Pending>();
  /** The queued update of each slot (repository and template), which a newer target supersedes. */
  private readonly slots = new Map<string, Pending>();
  private runner?: JobRunner;
  private failed = 0;
  /** Jobs waiting for their delay in a timer of this process. */
  private readonly delayed = new Map<NodeJS.Timeout, Job>();
  private closed = false;

  constructor(private readonly options: LocalJobQueueOptions) {
    this.tasks = new InProcessQueue({
      concurrency: options.concurrency,
      ...(options.perInstallation !== undefined && { perInstallation: options.perInstallation }),
      // Reported by each job's own promise below, where the record is at hand.
      onError: () => undefined,
    });
  }

  /**
   * A delayed job (and a retry's backoff) waits in a timer of this process, which does not keep it
   * alive: a restart forgets it, the reconcile scan does not.
   */
  enqueue(input: Job, options: { readonly delayMs?: number } = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the queue is closed'));
    let job: Job;
    try {
      job = readJob(structuredClone(input));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error('not a job'));
    }
    if (options.delayMs) this.later(job, options.delayMs, 1);
    else this.start(job, 1);
    return Promise.resolve();
  }

  private later(job: Job, delayMs: number, attempt: number): void {
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      if (!this.closed) this.start(job, attempt);
    }, delayMs);
    timer.unref();
    this.delayed.set(timer, job);
  }

  /** Runs the job's `attempt`-th try, unless an equal job is already queued or running (the retry collapses into it). */
  private start(job: Job, attempt: number): void {
    const identity = jobIdentity(job);
    if (this.pending.has(identity)) return;
    const entry: Pending = { job, started: false, superseded: false };
    if (job.kind === 'update') {
      const queued = this.slots.get(slotOf(job));
      // An older target arriving while a newer one waits or runs adds nothing (the newer one's PR is the update).
      if (queued && supersedes(queued.job, job)) return;
      if (queued && !queued.started && supersedes(job, queued.job)) queued.superseded = true;
      this.slots.set(slotOf(job), entry);
    }
    this.pending.set(identity, entry);
    const done = this.tasks.enqueue({
      installation: job.installationId,
      repository: jobRepository(job),
      name: job.kind,
      timeoutMs: this.options.deadlineMs(job),
      run: async (signal) => {
        entry.started = true;
        if (entry.superseded) return;
        if (!this.runner) throw new Error('no worker runs in this process');
        await this.runner(job, signal);
      },
    });
    done.then(() => undefined, (error: unknown) => {
      if ((error as Error | undefined)?.name === 'JobDroppedError') return;
      const { retries } = this.options;
      if (retries && attempt < retries.attempts && !this.closed && isRetryable(error)) {
        const delayMs = retries.backoffMs * 2 ** (attempt - 1);
        retries.onRetry(error, job, attempt, delayMs);
        this.later(job, delayMs, attempt + 1);
        return;
      }
      this.failed++;
      this.options.onError(error, job);
    }).finally(() => {
      this.pending.delete(identity);
      if (job.kind === 'update' && this.slots.get(slotOf(job)) === entry) this.slots.delete(slotOf(job));
    });
  }

  drop(installationId: number, repositories?: readonly string[]): Promise<number> {
    const only = repositories && new Set(repositories.map((name) => name.toLowerCase()));
    let dropped = 0;
    for (const [timer, job] of this.delayed) {
      if (job.installationId !== installationId || (only && !only.has(jobRepository(job).toLowerCase()))) continue;
      clearTimeout(timer);
      this.delayed.delete(timer);
      dropped++;
    }
    return Promise.resolve(dropped + this.tasks.drop(installationId, repositories));
  }

  work(runner: JobRunner): void {
    this.runner = runner;
  }

  /** In-process work cannot be handed to another process: what is still running after `graceMs` is stopped. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    for (const delayed of this.delayed.keys()) clearTimeout(delayed);
    this.delayed.clear();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.tasks.onIdle(), grace]);
    clearTimeout(timer);
    for (const installation of new Set([...this.pending.values()].map((entry) => entry.job.installationId))) {
      this.tasks.drop(installation);
    }
    await this.tasks.onIdle();
  }

  stats(): Promise<JobStats> {
    const { waiting, running } = this.tasks.stats();
    return Promise.resolve({ waiting, running, delayed: this.delayed.size, failed: this.failed });
  }

  onIdle(): Promise<void> {
    return this.tasks.onIdle();
  }
}
