import { randomUUID } from 'node:crypto';
import type nock from 'nock';
import type { Probot } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import { recordedPayload, type TestApp } from '../support/app-harness.js';
import {
  commentId, commentPayload, mockAnswers, mockComment, mockFanOut, mockGitHub, mockPermission, mockReaction, mockRepository,
  releasePayload, sentBodies, sentRequests, serviceRepo, startApp, TEMPLATE, templateRepo, useGitHub, type RepoRef,
} from '../support/github-mocks.js';
import { repoJson } from '../support/github-nock.js';
import { startStallingServer, type StallingServer } from '../support/stalling-server.js';

useGitHub();

const PAYMENTS: RepoRef = { owner: 'acme', repo: 'payments' };
const ORDERS: RepoRef = { owner: 'acme', repo: 'orders' };

let server: StallingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * One slot: `/sync-template` in payments, whose clone hangs on a host that never answers, holds
 * it; the same command in orders waits behind it. The default stall limit (60 s) would hold the
 * slot for the whole test, so only dropping the work frees it.
 */
async function stuckCommandAndOneWaiting(api: nock.Scope): Promise<TestApp> {
  server = await startStallingServer();
  const payments = { ...(await serviceRepo('payments', undefined, 'template: acme/service-template\n')), json: repoJson('acme', 'payments', server.url) };
  mockAnswers(api, payments);
  mockRepository(api, payments);
  const first = commentPayload(PAYMENTS, '/sync-template', { issue: 1 });
  mockReaction(api, PAYMENTS, commentId(first));
  mockPermission(api, PAYMENTS, 'Codertocat', 'write');

  const app = await startApp({ settings: { concurrency: 1 } });
  await deliver(app.probot, 'issue_comment', first);
  await deliver(app.probot, 'issue_comment', commentPayload(ORDERS, '/sync-template', { issue: 2 }));
  while (server.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await app.runtime.queue.stats()).toEqual({ running: 1, waiting: 1, delayed: 0, failed: 0 });
  return app;
}

/** A webhook, without waiting for the work it queues. */
async function deliver(probot: Probot, name: string, payload: Record<string, unknown>): Promise<void> {
  await probot.receive({ id: randomUUID(), name, payload } as Parameters<Probot['receive']>[0]);
}

function removedPayload(repos: readonly RepoRef[]): Record<string, unknown> {
  const payload = recordedPayload('installation_repositories', 'removed', TEMPLATE);
  const [shape] = payload.repositories_removed as Record<string, unknown>[];
  payload.repositories_removed = repos.map((repo, index) => ({ ...shape, id: index + 1, name: repo.repo, full_name: `${repo.owner}/${repo.repo}` }));
  return payload;
}

describe.each([
  ['installation.deleted', 'deleted'],
  ['installation.suspend', 'suspend'],
])('%s', (_event, action) => {
  it('drops the installation\'s queued work and stops its running work: nothing more is sent to GitHub', async () => {
    const api = mockGitHub();
    const app = await stuckCommandAndOneWaiting(api);

    await app.receive('installation', recordedPayload('installation', action, TEMPLATE));

    expect(await app.runtime.queue.stats()).toEqual({ running: 0, waiting: 0, delayed: 0, failed: 0 });
    // payments' command got no answer (its writes are refused once stopped); orders' never started.
    expect(sentBodies('POST', '/repos/acme/payments/issues/1/comments')).toEqual([]);
    expect(sentRequests().filter((request) => request.path.startsWith('/repos/acme/orders'))).toEqual([]);
    expect(server?.requests()).toBe(1);
  });
});

describe('installation.deleted during a release fan-out', () => {
  it('stops the fan-out, and the stopped fan-out queues no updates', async () => {
    server = await startStallingServer();
    const template = templateRepo({ url: server.url });
    const payments = await serviceRepo('payments', undefined, 'template: acme/service-template\nversion: v1.0.0\n');
    const api = mockGitHub();
    // Everything up to the fetch of the released template, which hangs; payments' answers are read once.
    mockFanOut(api, { template, repositories: [template, payments], anyTarget: true });

    const app = await startApp();
    await deliver(app.probot, 'release', releasePayload('v1.1.0'));
    while (server.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await app.receive('installation', recordedPayload('installation', 'deleted', TEMPLATE));

    expect(sentRequests().filter((request) => request.path.startsWith('/repos/acme/payments')).map((request) => request.path))
      .toEqual(['/repos/acme/payments/contents/.github%2Ftemplate-drift.yml']);
    expect(await app.runtime.queue.stats()).toEqual({ running: 0, waiting: 0, delayed: 0, failed: 0 });
  });
});

describe('installation_repositories.removed', () => {
  it('drops the removed repositories\' work and frees their slot for the installation\'s other repositories', async () => {
    const api = mockGitHub();
    const app = await stuckCommandAndOneWaiting(api);
    const orders = await serviceRepo('orders', undefined);
    const waiting = commentPayload(ORDERS, '/sync-template', { issue: 2 });
    mockReaction(api, ORDERS, commentId(waiting));
    mockPermission(api, ORDERS, 'Codertocat', 'write');
    mockAnswers(api, orders);
    mockComment(api, ORDERS, 2);

    await app.receive('installation_repositories', removedPayload([{ owner: 'ACME', repo: 'Payments' }]));

    expect(sentBodies('POST', '/repos/acme/payments/issues/1/comments')).toEqual([]);
    const [reply] = sentBodies('POST', '/repos/acme/orders/issues/2/comments');
    expect(String(reply?.body)).toContain('this repository has no `.github/template-drift.yml`');
  });

  it('a redelivered removal, with nothing left to drop, sends nothing and leaves the queue idle', async () => {
    const app = await startApp();
    const payload = removedPayload([PAYMENTS]);
    await app.receive('installation_repositories', payload);
    await app.receive('installation_repositories', payload);
    expect(sentRequests()).toEqual([]);
    expect(await app.runtime.queue.stats()).toEqual({ running: 0, waiting: 0, delayed: 0, failed: 0 });
  });
});
