import { describe, expect, it } from 'vitest';
import { formatMarker } from '../../src/engine/update-marker.js';
import { recordedPayload } from '../support/app-harness.js';
import { mockGitHub, sentRequests, startApp, UPDATE_BRANCH, useGitHub } from '../support/github-mocks.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
/** What Octokit sends for git.deleteRef({ ref: 'heads/template-drift/update' }): the ref is one escaped path segment. */
const BRANCH_REF = '/repos/acme/payments/git/refs/heads%2Ftemplate-drift%2Fupdate';
const MARKER = formatMarker({ template: 'acme/service-template', from: 'v1.0.0', to: 'v1.1.0' });

/** The recorded pull_request.closed payload, made into the app's update PR. */
function closedPayload(change: { merged: boolean; branch?: string; headRepo?: string; body?: string }): Record<string, unknown> {
  const payload = recordedPayload('pull_request', 'closed', PAYMENTS);
  const pull = payload.pull_request as { merged: boolean; merged_at: string | null; body: string | null; head: { ref: string; repo: { full_name: string } } };
  pull.merged = change.merged;
  pull.merged_at = change.merged ? '2026-01-02T03:04:05Z' : null;
  pull.body = change.body ?? `Updates the template.\n\n${MARKER}`;
  pull.head.ref = change.branch ?? UPDATE_BRANCH;
  pull.head.repo.full_name = change.headRepo ?? 'acme/payments';
  return payload;
}

describe('an update pull request closed', () => {
  it('merged: the app deletes its branch', async () => {
    const api = mockGitHub();
    api.delete(BRANCH_REF).reply(204);

    const app = await startApp();
    await app.receive('pull_request', closedPayload({ merged: true }));

    expect(sentRequests().filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual([BRANCH_REF]);
  });

  it('merged, with the branch already gone (GitHub deleted it on merge): no failure', async () => {
    const api = mockGitHub();
    api.delete(BRANCH_REF).reply(422, { message: 'Reference does not exist' });

    const app = await startApp();
    await app.receive('pull_request', closedPayload({ merged: true }));
  });

  it.each([
    ['closed without merging (the branch stays so the PR can be reopened)', closedPayload({ merged: false })],
    ['merged from another branch', closedPayload({ merged: true, branch: 'feature/login' })],
    ['merged from a fork\'s branch of the same name', closedPayload({ merged: true, headRepo: 'someone/payments' })],
    ['merged without the app\'s marker (a person\'s PR)', closedPayload({ merged: true, body: 'My own template update' })],
  ])('%s: no GitHub call at all', async (_what, payload) => {
    const app = await startApp();
    await app.receive('pull_request', payload);
    expect(sentRequests()).toEqual([]);
  });
});
