import { describe, expect, it } from 'vitest';
import { formatOnboardingMarker } from '../../src/engine/onboarding-text.js';
import { formatMarker } from '../../src/engine/update-marker.js';
import { recordedPayload } from '../support/app-harness.js';
import { commentsSent, mockComment, mockGitHub, sentBodies, sentRequests, startApp, UPDATE_BRANCH, useGitHub } from '../support/github-mocks.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
/** What Octokit sends for git.deleteRef({ ref: 'heads/template-drift/update' }): the ref is one escaped path segment. */
const BRANCH_REF = '/repos/acme/payments/git/refs/heads%2Ftemplate-drift%2Fupdate';
const BRANCH_HEAD = '/repos/acme/payments/commits/heads%2Ftemplate-drift%2Fupdate';
const MARKER = formatMarker({ template: 'acme/service-template', from: 'v1.0.0', to: 'v1.1.0' });

/** The head the recorded payload says was merged. */
function mergedHead(payload: Record<string, unknown>): string {
  return (payload.pull_request as { head: { sha: string } }).head.sha;
}

function commitJson(sha: string) {
  return { sha, commit: { committer: { email: 'octo@example.com' }, message: 'a commit' } };
}

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
  it('merged: the app deletes its branch, still at the merged head', async () => {
    const payload = closedPayload({ merged: true });
    const api = mockGitHub();
    api.get(BRANCH_HEAD).reply(200, commitJson(mergedHead(payload)));
    api.delete(BRANCH_REF).reply(204);

    const app = await startApp();
    await app.receive('pull_request', payload);

    expect(sentRequests().filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual([BRANCH_REF]);
  });

  it('merged onboarding PR: its branch is deleted at the merged head too; a person\'s PR from that branch name is left alone', async () => {
    const onboarding = closedPayload({ merged: true, branch: 'template-drift/onboarding', body: `Set up.\n\n${formatOnboardingMarker({ template: 'acme/service-template', version: 'v1.0.0' })}` });
    const api = mockGitHub();
    api.get('/repos/acme/payments/commits/heads%2Ftemplate-drift%2Fonboarding').reply(200, commitJson(mergedHead(onboarding)));
    api.delete('/repos/acme/payments/git/refs/heads%2Ftemplate-drift%2Fonboarding').reply(204);

    const app = await startApp();
    await app.receive('pull_request', onboarding);
    await app.receive('pull_request', closedPayload({ merged: true, branch: 'template-drift/onboarding', body: 'no marker' }));

    expect(sentRequests().filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual(['/repos/acme/payments/git/refs/heads%2Ftemplate-drift%2Fonboarding']);
  });

  it('merged, with the branch already gone (GitHub deleted it on merge): nothing to delete, no failure', async () => {
    const api = mockGitHub();
    api.get(BRANCH_HEAD).reply(422, { message: 'No commit found for SHA: heads/template-drift/update' });

    const app = await startApp();
    await app.receive('pull_request', closedPayload({ merged: true }));

    expect(sentRequests().filter((request) => request.method === 'DELETE')).toEqual([]);
  });

  it('merged, and someone pushed to the branch after the merge: the branch stays, and the PR says so once', async () => {
    const payload = closedPayload({ merged: true });
    const api = mockGitHub();
    api.get(BRANCH_HEAD).reply(200, commitJson('f'.repeat(40)));
    api.get('/repos/acme/payments/issues/2/comments').query(true).reply(200, []);
    mockComment(api, PAYMENTS, 2);
    // Delivered again: the notice is there already, so nothing more is said.
    api.get(BRANCH_HEAD).reply(200, commitJson('f'.repeat(40)));
    api.get('/repos/acme/payments/issues/2/comments').query(true)
      .reply(200, () => [{ body: String(sentBodies('POST', '/repos/acme/payments/issues/2/comments')[0]?.body), user: { login: 'template-drift[bot]' } }]);

    const app = await startApp();
    await app.receive('pull_request', payload);
    await app.receive('pull_request', payload);

    expect(sentRequests().filter((request) => request.method === 'DELETE')).toEqual([]);
    expect(commentsSent(PAYMENTS, 2)).toEqual([expect.stringContaining('has commits pushed after this PR was merged, so the app leaves the branch as it is')]);
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
