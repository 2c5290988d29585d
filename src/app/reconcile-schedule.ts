import type { Probot } from 'probot';
import { redeliverFailedWebhooks } from '../workflows/redeliver-failed-webhooks.js';
import type { AppRuntime } from './runtime.js';

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer interval would fire at once. */
const LONGEST_INTERVAL_MS = 2 ** 31 - 1;

/**
 * The reconcile: at start-up and every `intervalMs`, failed webhook deliveries are redelivered
 * and every installation gets a queued scan for repositories the webhooks left behind. A run never
 * overlaps the previous one, and the start-up run starts after the app is loaded, so the
 * webhook server answers meanwhile. Wiring only: the work is in the workflows.
 */
export class ReconcileSchedule {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Events this process has asked GitHub to redeliver: never asked for twice. */
  private readonly redelivered = new Set<string>();
  /** Runs finished so far (the status endpoint shows whether one is in hand). */
  runs = 0;

  constructor(private readonly app: Probot, private readonly runtime: AppRuntime, private readonly intervalMs: number) {}

  start(): void {
    setImmediate(() => void this.runOnce());
    this.timer = setInterval(() => void this.runOnce(), Math.min(this.intervalMs, LONGEST_INTERVAL_MS));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** One run; a run already in hand is joined, not doubled. */
  runOnce(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      this.runs += 1;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const log = this.app.log.child({ name: 'reconcile' });
    try {
      const appPlatform = await this.runtime.appPlatform();
      await redeliverFailedWebhooks({ app: appPlatform, log, asked: this.redelivered }).catch((error: unknown) => {
        log.warn({ err: error }, 'could not read the app\'s webhook deliveries');
      });
      for (const installationId of await appPlatform.installations()) {
        await this.reconcile(installationId).catch((error: unknown) => log.error({ err: error, installation: installationId }, 'could not queue the reconcile of an installation'));
      }
    } catch (error) {
      log.error({ err: error }, 'reconcile failed');
    }
  }

  /** One installation's scan is a job (`reconcile-installation`): any worker runs it, and its updates are jobs too. */
  private async reconcile(installationId: number): Promise<void> {
    await this.runtime.queue.enqueue({ kind: 'reconcile-installation', installationId, reason: 'reconcile', explicit: false });
  }
}
