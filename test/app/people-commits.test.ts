import { describe, expect, it } from 'vitest';
import { BOT } from '../support/app-harness.js';
import { pushAsPerson } from '../support/git-remote.js';
import {
  ANSWERS_PATH, commentsSent, mockBranchHead, mockComment, mockGitHub, mockIssues, mockPulls, mockRelease, mockUpdatePull,
  mockUpdateStart, mockUpdateToRefreshedPull, openPullFrom, pushPayload, releasePayload, sentBodies, sentRequests, UPDATE_BRANCH, useGitHub, mockNoAnswers, mockAnswersAtPullHead,
} from '../support/github-mocks.js';
import { fleetWithPull, type PullFleet } from '../support/update-pull-fixture.js';
import { git } from '../support/temp-repo.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
const KEPT = '<!-- template-drift-branch-kept -->';
const COMMENTS = '/repos/acme/payments/issues/7/comments';

function deletes(): string[] {
  return sentRequests().filter((request) => request.method === 'DELETE').map((request) => request.path);
}

/** Main applies the template's change by hand, so the update is no longer needed. */
async function mainCatchesUp(f: PullFleet): Promise<void> {
  await f.payments.commit({ 'Dockerfile': 'FROM python:3.13-slim\nENV LOG_LEVEL=INFO\n' }, 'bump base image');
}

describe('a person\'s commits on the update branch', () => {
  it('survive main catching up: the PR is closed, the branch kept with their commit, and that is said once', async () => {
    const f = await fleetWithPull(7);
    const theirs = await pushAsPerson(f.payments.bare, UPDATE_BRANCH, { 'NOTES.md': 'tried it, works\n' });
    await mainCatchesUp(f);
    const open = openPullFrom(PAYMENTS, 7, f.created);

    // The second push finds the PR open again (someone reopened it) and the notice already there.
    for (const earlier of [[], () => sentBodies('POST', COMMENTS).map((body) => ({ body: String(body.body), user: { login: 'template-drift[bot]' } }))]) {
      const api = mockGitHub();
      mockPulls(api, PAYMENTS, 'open', [open]);
      mockUpdateStart(api, f.repo, { template: f.tpl, openPull: open });
      mockPulls(api, PAYMENTS, 'closed');
      mockBranchHead(api, PAYMENTS, f.payments.bare);
      api.get(COMMENTS).query(true).reply(200, earlier);
      if (Array.isArray(earlier)) mockComment(api, PAYMENTS, 7);
      mockUpdatePull(api, open);
      mockIssues(api, PAYMENTS);
      await f.app.receive('push', pushPayload(PAYMENTS, ['Dockerfile']));
    }

    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBe(theirs);
    expect(deletes()).toEqual([]);
    expect(sentBodies('PATCH', '/repos/acme/payments/pulls/7')).toEqual([{ state: 'closed' }, { state: 'closed' }]);
    const said = commentsSent(PAYMENTS, 7);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^This repository is already in line with v1\.1\.0; closing\.\n\n`template-drift\/update` has commits from someone other than template-drift, so the app leaves the branch as it is\./);
    expect(said[0]).toContain(KEPT);
  });

  it('survive the answers file being removed: the PR is closed, the branch kept', async () => {
    const f = await fleetWithPull(7);
    const theirs = await pushAsPerson(f.payments.bare, UPDATE_BRANCH, { 'NOTES.md': 'tried it, works\n' });
    await f.payments.commit({ [ANSWERS_PATH]: null }, 'stop following the template');
    const open = openPullFrom(PAYMENTS, 7, f.created);

    const api = mockGitHub();
    mockPulls(api, PAYMENTS, 'open', [open]);
    mockNoAnswers(api, PAYMENTS);
    mockPulls(api, PAYMENTS, 'open', [open]);
    mockAnswersAtPullHead(api, PAYMENTS, await f.payments.bare.show(UPDATE_BRANCH, ANSWERS_PATH));
    mockBranchHead(api, PAYMENTS, f.payments.bare);
    api.get(COMMENTS).query(true).reply(200, []);
    mockComment(api, PAYMENTS, 7);
    mockUpdatePull(api, open);
    await f.app.receive('push', pushPayload(PAYMENTS, []));

    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBe(theirs);
    expect(deletes()).toEqual([]);
    expect(sentBodies('PATCH', '/repos/acme/payments/pulls/7')).toEqual([{ state: 'closed' }]);
    expect(commentsSent(PAYMENTS, 7)[0]).toContain('so the app leaves the branch as it is');
  });

  it('are a person\'s even when they copy the app\'s committer e-mail and trailer: the PR records which commit the app pushed', async () => {
    const f = await fleetWithPull(7);
    const message = await git(f.payments.bare.dir, 'log', '-1', '--format=%B', UPDATE_BRANCH);
    const theirs = await pushAsPerson(f.payments.bare, UPDATE_BRANCH, { 'NOTES.md': 'looks like the bot\n' }, { posingAs: { committerEmail: BOT.email, message } });
    await f.template.release('v1.2.0', { 'Makefile': 'test:\n\tpytest --cov\n\nlint:\n\truff check .\n' });
    const open = openPullFrom(PAYMENTS, 7, f.created);

    const api = mockGitHub();
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateStart(api, f.repo, { template: f.tpl, openPull: open });
    mockPulls(api, PAYMENTS, 'closed');
    api.get(COMMENTS).query(true).reply(200, []);
    mockComment(api, PAYMENTS, 7);
    await f.app.receive('release', releasePayload('v1.2.0'));

    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBe(theirs);
    expect(commentsSent(PAYMENTS, 7)).toEqual([expect.stringMatching(/^Someone other than template-drift pushed to `template-drift\/update`/)]);
  });

  it('a branch holding exactly the update the app would push is taken as its own, even when the PR records another commit', async () => {
    // The app pushed, then failed before the PR's marker recorded that commit.
    const f = await fleetWithPull(7);
    const pushed = await f.payments.bare.sha(UPDATE_BRANCH);
    const stale = openPullFrom(PAYMENTS, 7, { ...f.created, body: String(f.created.body).replace(`"head":"${pushed}"`, `"head":"${'b'.repeat(40)}"`) });

    mockUpdateToRefreshedPull(mockGitHub(), f.repo, { template: f.tpl, openPull: stale, releaseTags: ['v1.0.0', 'v1.1.0'] });
    await f.app.receive('release', releasePayload('v1.1.0'));

    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBe(pushed);
    expect(sentBodies('PATCH', '/repos/acme/payments/pulls/7')).toEqual([expect.objectContaining({ body: f.created.body })]);
    expect(sentBodies('POST', COMMENTS)).toEqual([]);
  });

  it('with no record (a PR written before the app recorded its commit), the app\'s own commit is still known by its e-mail and trailer', async () => {
    const f = await fleetWithPull(7);
    const first = await f.payments.bare.sha(UPDATE_BRANCH);
    await f.template.release('v1.2.0', { 'Makefile': 'test:\n\tpytest --cov\n\nlint:\n\truff check .\n' });
    const legacy = openPullFrom(PAYMENTS, 7, { ...f.created, body: String(f.created.body).replace(/,"head":"[0-9a-f]+"/, '') });

    mockUpdateToRefreshedPull(mockGitHub(), f.repo, { template: f.tpl, openPull: legacy, releaseTags: ['v1.0.0', 'v1.1.0', 'v1.2.0'] });
    await f.app.receive('release', releasePayload('v1.2.0'));

    const pushed = await f.payments.bare.sha(UPDATE_BRANCH);
    expect(pushed).not.toBe(first);
    expect(String(sentBodies('PATCH', '/repos/acme/payments/pulls/7')[0]?.body)).toContain(`"head":"${pushed}"`);
  });
});
