import { JobDeadlineError, JobDroppedError } from './job-errors.js';
import type { QueuedJob, QueueStats, WorkQueue } from './work-queue.js';

export interface InProcessQueueOptions {
  /** Jobs running at the same time, across all installations. */
  readonly concurrency: number;
  /**
   * Slots one installation may hold at once. Below `concurrency`, the slots left over stay free
   * for other installations, so their work starts at once even while one installation's jobs
   * are all stuck. Default: `concurrency`.
   */
  readonly perInstallation?: number;
  /** A running job's deadline; none when absent (jobs that only wait for other jobs). */
  readonly timeoutMs?: number;
  /** A job failed or passed its deadline (a dropped job is not an error). */
  readonly onError: (error: unknown, job: { installation: number; repository: string; name: string }) => void;
}

type State = 'waiting' | 'ready' | 'running' | 'abandoned';

interface Entry {
  readonly job: QueuedJob;
  readonly key: string;
  readonly controller: AbortController;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  state: State;
  timer?: NodeJS.Timeout;
}

/**
 * The WorkQueue in this process. Each repository has a line of jobs, of which only the first may
 * run; each installation has a lane of the jobs that may run now. A free slot goes to the lanes
 * in turn (round robin, as BullMQ's groups do), so an installation with a thousand queued jobs
 * or four stuck ones never keeps another installation waiting behind it.
 */
export class InProcessQueue implements WorkQueue {
  /** Per repository: its jobs in order; the first is ready, running or abandoned-and-stopping. */
  private readonly lines = new Map<string, Entry[]>();
  /** Per installation: jobs ready to start, in order, and when it was last given a slot. */
  private readonly lanes = new Map<number, { ready: Entry[]; servedAt: number }>();
  private served = 0;
  /** Per installation: slots held. */
  private readonly held = new Map<number, number>();
  private running = 0;
  private waiting = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: InProcessQueueOptions) {}

  enqueue(job: QueuedJob): Promise<void> {
    const key = `${job.installation}/${job.repository.toLowerCase()}`;
    let settle!: { resolve: () => void; reject: (error: Error) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Fire-and-forget callers need not handle a rejection: it is reported through onError.
    done.catch(() => undefined);
    const entry: Entry = { job, key, controller: new AbortController(), ...settle, state: 'waiting' };
    const line = this.lines.get(key) ?? [];
    line.push(entry);
    this.lines.set(key, line);
    this.waiting++;
    if (line.length === 1) this.makeReady(entry);
    this.pump();
    return done;
  }

  drop(installation: number, repositories?: readonly string[]): number {
    const only = repositories && new Set(repositories.map((name) => `${installation}/${name.toLowerCase()}`));
    let dropped = 0;
    for (const [key, line] of [...this.lines]) {
      if (line[0]?.job.installation !== installation || (only && !only.has(key))) continue;
      for (const entry of [...line]) {
        if (entry.state === 'abandoned') continue;
        dropped++;
        if (entry.state === 'running') {
          this.abandon(entry, new JobDroppedError(), false);
        } else {
          this.waiting--;
          line.splice(line.indexOf(entry), 1);
          const ready = this.lanes.get(installation)?.ready;
          if (ready?.includes(entry)) ready.splice(ready.indexOf(entry), 1);
          entry.reject(new JobDroppedError());
        }
      }
      if (line.length === 0) this.lines.delete(key);
    }
    this.forgetIdleLanes(installation);
    this.pump();
    this.checkIdle();
    return dropped;
  }

  stats(): QueueStats {
    return { running: this.running, waiting: this.waiting };
  }

  /** Also waits for abandoned jobs to stop, so nothing outlives a test or a shutdown. */
  onIdle(): Promise<void> {
    if (this.lines.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private makeReady(entry: Entry): void {
    entry.state = 'ready';
    const lane = this.lanes.get(entry.job.installation) ?? { ready: [], servedAt: 0 };
    lane.ready.push(entry);
    this.lanes.set(entry.job.installation, lane);
  }

  /** Fills free slots: each goes to the installation that has waited longest since its last slot. */
  private pump(): void {
    const cap = this.options.perInstallation ?? this.options.concurrency;
    while (this.running < this.options.concurrency) {
      let next: { ready: Entry[]; servedAt: number } | undefined;
      for (const [installation, lane] of this.lanes) {
        if (lane.ready.length === 0 || (this.held.get(installation) ?? 0) >= cap) continue;
        if (!next || lane.servedAt < next.servedAt) next = lane;
      }
      if (!next) return;
      next.servedAt = ++this.served;
      this.start(next.ready.shift()!);
    }
  }

  private start(entry: Entry): void {
    const { job, controller } = entry;
    entry.state = 'running';
    this.waiting--;
    this.running++;
    this.held.set(job.installation, (this.held.get(job.installation) ?? 0) + 1);
    const timeoutMs = job.timeoutMs ?? this.options.timeoutMs;
    if (timeoutMs !== undefined) {
      entry.timer = setTimeout(() => {
        this.abandon(entry, new JobDeadlineError(Math.round(timeoutMs / 1000)), true);
        this.pump();
      }, timeoutMs);
    }
    void Promise.resolve()
      .then(() => job.run(controller.signal))
      .then(() => this.finish(entry, undefined), (error: unknown) => this.finish(entry, error ?? new Error('job failed')));
  }

  /** Frees the job's slot now and tells its caller; its repository's next job waits until it has stopped. */
  private abandon(entry: Entry, reason: Error, report: boolean): void {
    if (entry.state !== 'running') return;
    entry.controller.abort(reason);
    this.release(entry);
    entry.state = 'abandoned';
    if (report) this.options.onError(reason, describe(entry.job));
    entry.reject(reason);
  }

  private finish(entry: Entry, error: unknown): void {
    if (entry.state === 'running') {
      this.release(entry);
      if (error === undefined) {
        entry.resolve();
      } else {
        this.options.onError(error, describe(entry.job));
        entry.reject(error instanceof Error ? error : new Error('job failed', { cause: error }));
      }
    }
    // An abandoned job's own ending (usually "aborted") was already answered by its deadline.
    const line = this.lines.get(entry.key) ?? [];
    line.shift();
    const next = line[0];
    if (next) this.makeReady(next);
    else this.lines.delete(entry.key);
    this.forgetIdleLanes(entry.job.installation);
    this.pump();
    this.checkIdle();
  }

  private release(entry: Entry): void {
    clearTimeout(entry.timer);
    this.running--;
    const installation = entry.job.installation;
    this.held.set(installation, (this.held.get(installation) ?? 1) - 1);
  }

  /** An installation with nothing ready and nothing running leaves the turn. */
  private forgetIdleLanes(installation: number): void {
    if ((this.lanes.get(installation)?.ready.length ?? 0) > 0 || (this.held.get(installation) ?? 0) > 0) return;
    this.lanes.delete(installation);
    this.held.delete(installation);
  }

  private checkIdle(): void {
    if (this.lines.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function describe(job: QueuedJob): { installation: number; repository: string; name: string } {
  return { installation: job.installation, repository: job.repository, name: job.name };
}
