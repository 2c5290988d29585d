import type nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  mockAnswers, mockGitHub, mockRepository, sentRequests, serviceRepo, startApp, syncTemplateReply, takeJobErrors, useGitHub, type RepoRef,
} from '../support/github-mocks.js';
import { repoJson } from '../support/github-nock.js';
import { startStallingServer, type StallingServer } from '../support/stalling-server.js';

useGitHub();

const PAYMENTS: RepoRef = { owner: 'acme', repo: 'payments' };

let server: StallingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** payments, whose clone URL (as GitHub's API gives it) is a host that never answers. */
async function stalledService(api: nock.Scope, url: string): Promise<void> {
  const repo = { ...(await serviceRepo('payments', undefined, 'template: acme/service-template\n')), json: repoJson('acme', 'payments', url) };
  mockAnswers(api, repo);
  mockRepository(api, repo);
}

describe('bounded work', () => {
  it('a job past TEMPLATE_DRIFT_JOB_TIMEOUT_S is stopped, and /sync-template hears so in plain words; no issue', async () => {
    server = await startStallingServer({ trickleMs: 200 });
    const api = mockGitHub();
    await stalledService(api, server.url);

    // The host trickles fast enough for the stall limit, so only the deadline stops the clone.
    const app = await startApp({ settings: { jobTimeoutSeconds: 1, gitStallSeconds: 30 } });
    const reply = await syncTemplateReply(app, api, PAYMENTS);

    expect(reply).toBe('@Codertocat the template update failed:\n\n> The update took longer than the 1 s one update may take '
      + '(TEMPLATE_DRIFT_JOB_TIMEOUT_S) and was stopped; the next release, push or `/sync-template` tries again.');
    expect(sentRequests().filter((request) => request.method === 'POST' && request.path.endsWith('/issues'))).toEqual([]);
    expect(await app.runtime.queue.stats()).toEqual({ waiting: 0, running: 0, delayed: 0, failed: 0 });
    expect(takeJobErrors()).toEqual([]);
  });

  it('a clone whose host sends nothing is abandoned after TEMPLATE_DRIFT_GIT_STALL_S and answered', async () => {
    server = await startStallingServer();
    const api = mockGitHub();
    await stalledService(api, server.url);

    const app = await startApp({ settings: { gitStallSeconds: 2 } });
    const reply = await syncTemplateReply(app, api, PAYMENTS);

    expect(reply).toMatch(/^@Codertocat the template update failed:\n\n> Cannot clone http:\/\/127\.0\.0\.1:\d+\/acme\/stuck\.git: .*Operation too slow\. Less than 1 bytes\/sec transferred the last 2 seconds/);
    // A stall may pass: the person is answered, and no "action required" issue is filed for it.
    expect(sentRequests().filter((request) => request.method === 'POST' && request.path.endsWith('/issues'))).toEqual([]);
  });
});
