import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { sign } from '@octokit/webhooks-methods';

export interface Delivery {
  /** The X-GitHub-Delivery id (the deliveries API's `guid`); a redelivery keeps the original's. */
  readonly id: string;
  /** The deliveries API's own id of this one attempt. */
  readonly number: number;
  readonly deliveredAt: Date;
  readonly installationId: number | null;
  readonly repositoryId: number | null;
  readonly event: string;
  readonly action: string | undefined;
  /** The exact bytes sent (and signed), so a redelivery is byte-for-byte the same. */
  readonly body: string;
  readonly redelivery: boolean;
  /** The app's HTTP status, once it answered. */
  status?: number;
  error?: string;
  /** Seconds until the app answered, or the attempt failed. */
  duration?: number;
}

/** A delivery GitHub counts as failed: the app could not be reached, or answered other than 2xx. */
export function failed(delivery: Delivery): boolean {
  return delivery.status === undefined || delivery.status < 200 || delivery.status >= 300;
}

/**
 * Sends webhooks the way GitHub does: a JSON POST with X-GitHub-Event, X-GitHub-Delivery and
 * X-Hub-Signature-256. Deliveries the local GitHub makes on its own (after a merge, a push) run in
 * the background like GitHub's; `idle()` waits for them.
 */
export class WebhookSender {
  private readonly log: Delivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private lastNumber = 0;

  constructor(public url: string | undefined, readonly secret: string) {}

  /** Sends one event and resolves once the app answered. */
  deliver(event: string, payload: Record<string, unknown>): Promise<Delivery> {
    const idOf = (field: unknown) => (typeof field === 'object' && field !== null && 'id' in field && typeof field.id === 'number' ? field.id : null);
    return this.send({
      id: randomUUID(), event, action: typeof payload.action === 'string' ? payload.action : undefined, body: JSON.stringify(payload), redelivery: false,
      installationId: idOf(payload.installation), repositoryId: idOf(payload.repository),
    });
  }

  /** Sends one event without waiting (GitHub's own deliveries); a failure is recorded, not thrown. */
  deliverInBackground(event: string, payload: Record<string, unknown>): void {
    this.inBackground(this.deliver(event, payload));
  }

  /** Sends an earlier delivery again: same id, same body, as GitHub's "Redeliver" button. */
  redeliver(id: string): Promise<Delivery> {
    const original = this.log.find((delivery) => delivery.id === id && !delivery.redelivery);
    if (!original) throw new Error(`no delivery ${id}`);
    return this.send({ ...pick(original), redelivery: true });
  }

  /**
   * `POST /app/hook/deliveries/{id}/attempts`: GitHub answers at once (202) and sends the
   * attempt's event again later, as a new attempt with the same guid. False when there is no such attempt.
   */
  redeliverInBackground(number: number): boolean {
    const attempt = this.log.find((delivery) => delivery.number === number);
    if (!attempt) return false;
    this.inBackground(this.send({ ...pick(attempt), redelivery: true }));
    return true;
  }

  deliveries(): readonly Delivery[] {
    return this.log;
  }

  /** Resolves once every background delivery has been answered (including ones started meanwhile). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private inBackground(sending: Promise<Delivery>): void {
    const settled = sending.catch(() => undefined);
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  private async send(fields: Omit<Delivery, 'number' | 'deliveredAt'>): Promise<Delivery> {
    this.lastNumber += 1;
    const delivery: Delivery = { ...fields, number: this.lastNumber, deliveredAt: new Date() };
    this.log.push(delivery);
    try {
      return await this.post(delivery);
    } finally {
      delivery.duration = (Date.now() - delivery.deliveredAt.getTime()) / 1000;
    }
  }

  private async post(delivery: Delivery): Promise<Delivery> {
    if (!this.url) {
      delivery.error = 'no webhook URL configured';
      return delivery;
    }
    try {
      delivery.status = await post(this.url, delivery.body, {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/local',
        'x-github-event': delivery.event,
        'x-github-delivery': delivery.id,
        'x-github-hook-id': '1',
        'x-hub-signature-256': await sign(this.secret, delivery.body),
      });
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    return delivery;
  }
}

function pick(delivery: Delivery): Omit<Delivery, 'number' | 'deliveredAt' | 'redelivery'> {
  const { id, event, action, body, installationId, repositoryId } = delivery;
  return { id, event, action, body, installationId, repositoryId };
}

/** node:http rather than fetch: the response body is drained, and no global fetch mock gets in the way. */
function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
