import PQueue from 'p-queue';
import type { QueueStats, WorkQueue } from './work-queue.js';

export interface InProcessQueueOptions {
  readonly concurrency: number;
  readonly onError: (error: unknown, job: { key: string; name: string }) => void;
}

/** The WorkQueue in this process: p-queue bounds concurrency; a per-key chain keeps order. */
export class InProcessQueue implements WorkQueue {
  private readonly queue: PQueue;
  /** The last job of each key; the next job of that key starts after it settles. */
  private readonly tails = new Map<string, Promise<void>>();
  private accepted = 0;
  private finished = 0;

  constructor(private readonly options: InProcessQueueOptions) {
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  enqueue(key: string, name: string, job: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    this.accepted++;
    const run = async () => {
      try {
        await job();
      } catch (error) {
        this.options.onError(error, { key, name });
      } finally {
        this.finished++;
      }
    };
    // Waiting for the previous job happens outside p-queue, so a waiting job holds no slot.
    const tail = previous.then(() => this.queue.add(run));
    this.tails.set(key, tail);
    void tail.finally(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
  }

  stats(): QueueStats {
    const running = this.queue.pending;
    return { running, waiting: this.accepted - this.finished - running };
  }

  async onIdle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
    await this.queue.onIdle();
  }
}
