import { deliveriesToRedeliver } from '../engine/failed-deliveries.js';
import type { AppPlatform } from '../github/platform.js';
import type { Log } from './log.js';

/** GitHub keeps, and redelivers, only the deliveries of the last three days. */
export const REDELIVERY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

export interface RedeliveryDependencies {
  readonly app: AppPlatform;
  readonly log: Log;
  /** Events this process has asked for already (GitHub's list may not show the attempt yet); filled in here. */
  readonly asked: Set<string>;
  readonly now?: () => Date;
}

/**
 * Recovers webhooks the app missed (it was down, or answered with an error), GitHub's own way:
 * https://docs.github.com/webhooks/using-webhooks/handling-failed-webhook-deliveries
 * 1. list the app's deliveries of the last three days;
 * 2. keep the events whose every attempt failed and that nobody has redelivered yet;
 * 3. ask GitHub to redeliver each once (one refused never stops the others).
 * Resolves with the delivery ids asked for.
 */
export async function redeliverFailedWebhooks(deps: RedeliveryDependencies): Promise<number[]> {
  const now = (deps.now ?? (() => new Date()))();
  const deliveries = await deps.app.hookDeliveries(new Date(now.getTime() - REDELIVERY_WINDOW_MS));
  const asked: number[] = [];
  for (const delivery of deliveriesToRedeliver(deliveries, deps.asked)) {
    // Marked before asking: an attempt GitHub took but answered with an error must not be asked for twice.
    deps.asked.add(delivery.guid);
    try {
      await deps.app.redeliver(delivery.id);
      asked.push(delivery.id);
    } catch (error) {
      deps.log.warn({ delivery: delivery.id, event: delivery.event, err: error }, 'GitHub did not take a redelivery request');
    }
  }
  if (asked.length > 0) deps.log.info({ deliveries: asked.length }, 'asked GitHub to redeliver failed webhooks');
  return asked;
}
