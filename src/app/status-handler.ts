import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobQueue } from '../queue/job-queue.js';

export const STATUS_PATH = '/template-drift/status';

/** Work in hand that is not in the queue yet: a reconcile run, dashboard refreshes waiting for their interval. */
export interface PendingWork {
  readonly reconciling: boolean;
  readonly pending: number;
}

/**
 * `GET /template-drift/status`: how much work the app has in hand, from whichever queue runs it
 * (with Redis, every process's): waiting, running, delayed and failed jobs. Operators watch it
 * during a large fan-out; end-to-end tests and the demo wait on `idle` from outside the process.
 * `idle` means nothing waits or runs now; delayed jobs (a retry's backoff, a rollout's second
 * wave) come later. Counts only: nothing about which repositories.
 */
export function statusHandler(queue: JobQueue, inHand: () => PendingWork = () => ({ reconciling: false, pending: 0 })) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== STATUS_PATH) return false;
    queue.stats().then((stats) => {
      const { reconciling, pending } = inHand();
      const waiting = stats.waiting + pending;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...stats, waiting, reconciling, idle: waiting === 0 && stats.running === 0 && !reconciling }));
    }, () => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'the queue cannot be read' }));
    });
    return true;
  };
}
