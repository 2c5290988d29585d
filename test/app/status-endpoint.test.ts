import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { statusHandler } from '../../src/app/status-handler.js';
import type { Job } from '../../src/queue/job.js';
import { LocalJobQueue } from '../../src/queue/local-job-queue.js';
import { readStatus } from '../support/e2e/app-process.js';

const update = (repo: string, targetRef: string): Job => ({
  kind: 'update', installationId: 7, repo: { owner: 'acme', repo }, targetRef, template: 'acme/tpl', reason: 'release', explicit: false,
});

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** `GET /template-drift/status` of a server on a free loopback port that serves only the status. */
async function statusOf(handler: ReturnType<typeof statusHandler>): Promise<unknown> {
  if (!server) {
    server = createServer((request, response) => {
      if (!handler(request, response)) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  }
  return readStatus(`http://127.0.0.1:${(server.address() as AddressInfo).port}/template-drift/status`);
}

describe('the status endpoint over the in-process queue', () => {
  it('counts waiting, running, delayed and failed jobs; idle once nothing waits or runs, delayed ones still counted', async () => {
    const queue = new LocalJobQueue({ concurrency: 1, deadlineMs: () => 60_000, onError: () => undefined });
    const gates: (() => void)[] = [];
    queue.work(async (job) => {
      if ('repo' in job && job.repo.repo === 'broken') throw new Error('boom');
      await new Promise<void>((resolve) => gates.push(resolve));
    });
    const handler = statusHandler(queue);

    await queue.enqueue(update('broken', 'v1.1.0'));
    await queue.onIdle();
    await queue.enqueue(update('payments', 'v1.1.0')); // runs, held by its gate
    await queue.enqueue(update('orders', 'v1.1.0')); // waits for the only slot
    await queue.enqueue(update('ledger', 'v1.1.0'), { delayMs: 60_000 }); // a later wave
    expect(await statusOf(handler)).toEqual({ waiting: 1, running: 1, delayed: 1, failed: 1, reconciling: false, idle: false });

    while ((await queue.stats()).waiting + (await queue.stats()).running > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await statusOf(handler)).toEqual({ waiting: 0, running: 0, delayed: 1, failed: 1, reconciling: false, idle: true });
    await queue.close(0);
    expect(await statusOf(handler)).toMatchObject({ delayed: 0 });
  });
});
