import type { Job } from './job.js';

/**
 * How the app hands work off, so that a webhook is answered within GitHub's 10 seconds and work
 * survives the process that queued it. Two implementations: the in-process one (the default, no
 * setup; src/queue/local-job-queue.ts) and BullMQ over Redis when REDIS_URL is set
 * (src/queue/redis-job-queue.ts). Nothing outside src/queue knows which one runs.
 *
 * Both promise: jobs are data (src/queue/job.ts), read back and validated before they run;
 * equal jobs collapse while one is queued or running; a newer target for a repository's
 * template supersedes a queued older one; jobs of one repository never run at the same time;
 * every job has a deadline; a failing job never stops the others.
 */
export interface JobQueue {
  /**
   * Queues the job, to start no sooner than `delayMs` from now when given; resolves once it is
   * accepted (with Redis: stored), not when it has run.
   */
  enqueue(job: Job, options?: { readonly delayMs?: number }): Promise<void>;
  /**
   * Cancels the installation's work (only `repositories`', as `owner/repo`, when given): queued
   * jobs never start, running ones are stopped. Returns how many jobs were cancelled.
   */
  drop(installationId: number, repositories?: readonly string[]): Promise<number>;
  /** Starts taking jobs in this process, `concurrency` at a time, each run through `runner`. */
  work(runner: JobRunner): void;
  /**
   * Stops taking jobs, gives running ones `graceMs` to finish, then hands back the rest (they run
   * again elsewhere, or at the next start) and closes. A web-only caller closes without working.
   */
  close(graceMs: number): Promise<void>;
  /** Counts for the status endpoint and for tests that wait from outside. */
  stats(): Promise<JobStats>;
  /** Resolves when nothing is waiting, delayed or running (tests). */
  onIdle(): Promise<void>;
}

/**
 * Runs one job. `signal` aborts when the job passes its deadline, is cancelled, or is handed back
 * at shutdown; pass it to git and refuse writes after it. A rejection with a `RetryableJobError`
 * (or an error `isRetryable` accepts) is tried again later where the queue can.
 */
export type JobRunner = (job: Job, signal: AbortSignal) => Promise<void>;

export interface JobStats {
  /** Accepted and not started: waiting for a slot, or for the repository's previous job. */
  readonly waiting: number;
  readonly running: number;
  /** Waiting for a retry's backoff, or for another process to finish the repository's job. */
  readonly delayed: number;
  /** Gave up after its retries (kept for the status endpoint; the next reconcile tries again). */
  readonly failed: number;
}
