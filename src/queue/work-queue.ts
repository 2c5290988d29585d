/**
 * How webhook handlers hand work off so that they can answer GitHub within its 10 seconds.
 * Jobs with the same key (one repository) never run at the same time and run in the order
 * they came; different keys run side by side up to the queue's concurrency. A failing job is
 * reported to `onError` and never stops the others. A distributed implementation (BullMQ) can
 * replace the in-process one behind this interface.
 */
export interface WorkQueue {
  enqueue(key: string, name: string, job: () => Promise<void>): void;
  /** Resolves when no job is queued or running (tests, graceful shutdown). */
  onIdle(): Promise<void>;
  /** How much work is in hand: for the status endpoint and for tests that wait from outside. */
  stats(): QueueStats;
}

export interface QueueStats {
  /** Jobs accepted but not started (waiting for a slot, or for their repository's previous job). */
  readonly waiting: number;
  readonly running: number;
}
