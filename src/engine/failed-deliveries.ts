/** A webhook delivery as GitHub's deliveries list shows it: what the redelivery rule reads. */
export interface DeliveryAttempt {
  readonly id: number;
  /** The event's id (X-GitHub-Delivery), shared by the original and its redeliveries. */
  readonly guid: string;
  readonly redelivery: boolean;
  /** The app's HTTP status; 0 when GitHub could not reach it. */
  readonly statusCode: number;
}

/**
 * The deliveries to ask GitHub to send again: each event whose every attempt failed (GitHub
 * could not reach the app, or the app answered other than 2xx), once. An event already
 * redelivered (GitHub lists that attempt with `redelivery: true` and the same guid), or asked for
 * by this process before its attempt shows in the list, is never asked for again, whatever that
 * attempt's outcome: a delivery that fails every time is a bug to fix, not one to hammer on.
 */
export function deliveriesToRedeliver<T extends DeliveryAttempt>(deliveries: readonly T[], asked: ReadonlySet<string>): T[] {
  const byEvent = new Map<string, T[]>();
  for (const delivery of deliveries) byEvent.set(delivery.guid, [...(byEvent.get(delivery.guid) ?? []), delivery]);
  return [...byEvent.entries()]
    .filter(([guid, attempts]) => !asked.has(guid) && attempts.every((attempt) => !attempt.redelivery && !succeeded(attempt)))
    .map(([, attempts]) => attempts[0]!);
}

function succeeded(attempt: DeliveryAttempt): boolean {
  return attempt.statusCode >= 200 && attempt.statusCode < 300;
}
