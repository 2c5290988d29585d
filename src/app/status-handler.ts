import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WorkQueue } from '../queue/work-queue.js';

export const STATUS_PATH = '/template-drift/status';

/**
 * `GET /template-drift/status`: how much update work the app has in hand. Operators watch it
 * during a large fan-out; end-to-end tests and the demo wait on it from outside the process.
 * Counts only: nothing about which repositories.
 */
export function statusHandler(queue: WorkQueue, reconciling: () => boolean = () => false) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== STATUS_PATH) return false;
    const stats = queue.stats();
    response.writeHead(200, { 'content-type': 'application/json' });
    // A reconcile scan in hand queues work soon: not idle yet.
    const scanning = reconciling();
    response.end(JSON.stringify({ ...stats, reconciling: scanning, idle: stats.waiting === 0 && stats.running === 0 && !scanning }));
    return true;
  };
}
