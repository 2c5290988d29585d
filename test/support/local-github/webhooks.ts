import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { sign } from '@octokit/webhooks-methods';

export interface Delivery {
  /** The X-GitHub-Delivery id; a redelivery keeps the original's. */
  readonly id: string;
  readonly event: string;
  readonly action: string | undefined;
  /** The exact bytes sent (and signed), so a redelivery is byte-for-byte the same. */
  readonly body: string;
  readonly redelivery: boolean;
  /** The app's HTTP status, once it answered. */
  status?: number;
  error?: string;
}

/**
 * Sends webhooks the way GitHub does: a JSON POST with X-GitHub-Event, X-GitHub-Delivery and
 * X-Hub-Signature-256. Deliveries the local GitHub makes on its own (after a merge, a push) run in
 * the background like GitHub's; `idle()` waits for them.
 */
export class WebhookSender {
  private readonly log: Delivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(public url: string | undefined, readonly secret: string) {}

  /** Sends one event and resolves once the app answered. */
  deliver(event: string, payload: Record<string, unknown>): Promise<Delivery> {
    const delivery: Delivery = { id: randomUUID(), event, action: typeof payload.action === 'string' ? payload.action : undefined, body: JSON.stringify(payload), redelivery: false };
    return this.send(delivery);
  }

  /** Sends one event without waiting (GitHub's own deliveries); a failure is recorded, not thrown. */
  deliverInBackground(event: string, payload: Record<string, unknown>): void {
    const sending = this.deliver(event, payload).catch(() => undefined);
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Sends an earlier delivery again: same id, same body, as GitHub's "Redeliver" button. */
  redeliver(id: string): Promise<Delivery> {
    const original = this.log.find((delivery) => delivery.id === id && !delivery.redelivery);
    if (!original) throw new Error(`no delivery ${id}`);
    return this.send({ id, event: original.event, action: original.action, body: original.body, redelivery: true });
  }

  deliveries(): readonly Delivery[] {
    return this.log;
  }

  /** Resolves once every background delivery has been answered (including ones started meanwhile). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async send(delivery: Delivery): Promise<Delivery> {
    this.log.push(delivery);
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
