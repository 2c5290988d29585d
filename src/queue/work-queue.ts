/**
 * The in-process scheduler under the default JobQueue (src/queue/local-job-queue.ts): it runs
 * closures in this process only. Jobs of one repository never run at the same time and run in
 * the order they came; different repositories run side by side up to the queue's concurrency,
 * shared fairly between installations. Every job has a deadline; a failing or late job is
 * reported and never stops the others. The app itself queues data (src/queue/job-queue.ts).
 */
export interface WorkQueue {
  /**
   * Resolves when the job has run. Rejects with the job's error, a `JobDeadlineError` when it
   * ran past its deadline (its slot is freed at once), or a `JobDroppedError` when it was dropped.
   * Callers that only fire and forget need not handle the rejection.
   */
  enqueue(job: QueuedJob): Promise<void>;
  /**
   * Drops the installation's work (only `repositories`' when given, as `owner/repo`): queued jobs
   * never start, running ones are aborted. Returns how many jobs were dropped or aborted.
   */
  drop(installation: number, repositories?: readonly string[]): number;
  /** Resolves when no job is queued or running (tests, graceful shutdown). */
  onIdle(): Promise<void>;
  /** How much work is in hand: for the status endpoint and for tests that wait from outside. */
  stats(): QueueStats;
}

export interface QueuedJob {
  /** The installation the work is for: the unit of fairness, and of dropping work. */
  readonly installation: number;
  /** `owner/repo` the job works on (any letter case): jobs of one repository run one at a time. */
  readonly repository: string;
  /** What the job does, for logs (`update:release`, `sync-template`). */
  readonly name: string;
  /** This job's deadline, in place of the queue's. */
  readonly timeoutMs?: number;
  /** The work. `signal` aborts when the job passes its deadline or is dropped; pass it to git. */
  run(signal: AbortSignal): Promise<void>;
}

export interface QueueStats {
  /** Jobs accepted but not started (waiting for a slot, or for their repository's previous job). */
  readonly waiting: number;
  readonly running: number;
}
