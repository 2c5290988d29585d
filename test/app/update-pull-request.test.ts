import { describe, expect, it } from 'vitest';
import { formatMarker } from '../../src/engine/update-marker.js';
import { git, type Tree } from '../support/temp-repo.js';
import { pushAsPerson } from '../support/git-remote.js';
import {
  commentsSent, mockUpdateToRefreshedPull, mockBranchHead, commentId, commentPayload, mockAddLabels, mockComment, mockGitHub, mockIssues, mockPermission, mockPulls, mockReaction,
  mockRelease, mockReleaseNotes, mockUpdatePull, mockUpdateStart, mockUpdateToNewPull, openPullFrom, pushPayload, releasePayload,
  sentBodies, serviceRepo, startApp, templateRepo, UPDATE_BRANCH, useGitHub, type MockRepo,
} from '../support/github-mocks.js';
import { createService, createTemplate, TEMPLATE_MANIFEST, type ServiceFixture, type TemplateFixture } from '../support/service-fleet.js';
import type { TestApp } from '../support/app-harness.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
const DOCKERFILE_V11 = { 'Dockerfile.hbs': 'FROM python:3.13-slim\nENV LOG_LEVEL={{log_level}}\n' };

interface Fleet {
  readonly template: TemplateFixture;
  readonly payments: ServiceFixture;
  readonly tpl: MockRepo;
  readonly repo: MockRepo;
  readonly app: TestApp;
}

/** A template at v1.1.0 and a service made from v1.0.0. */
async function fleet(change: Tree = DOCKERFILE_V11): Promise<Fleet> {
  const template = await createTemplate();
  await template.release('v1.1.0', change);
  const payments = await createService(template, 'payments');
  return { template, payments, tpl: templateRepo(template), repo: await serviceRepo('payments', payments), app: await startApp() };
}

/** Delivers the release and lets it open PR `number`; returns what the app sent to create it. */
async function firstPullRequest(f: Fleet, number: number): Promise<Record<string, unknown>> {
  const api = mockGitHub();
  mockRelease(api, f.tpl, [f.repo]);
  mockUpdateToNewPull(api, f.repo, { template: f.tpl, number });
  await f.app.receive('release', releasePayload('v1.1.0'));
  const [created] = sentBodies('POST', '/repos/acme/payments/pulls');
  return created!;
}

function markerBody(to: string): string {
  return `An update.\n\n${formatMarker({ template: 'acme/service-template', from: 'v1.0.0', to })}`;
}

describe('the update pull request', () => {
  it('is one commit on main by the app; with conflicts it is a draft with both labels and git\'s conflict markers', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'Makefile': 'test:\n\tpytest --cov\n\nlint:\n\truff check .\n', ...DOCKERFILE_V11 });
    const payments = await createService(template, 'payments');
    await payments.commit({ 'Makefile': 'test:\n\tpytest -x\n\nlint:\n\truff check .\n' }, 'fail fast');
    const tpl = templateRepo(template);
    const repo = await serviceRepo('payments', payments);
    const api = mockGitHub();
    mockRelease(api, tpl, [repo]);
    mockUpdateToNewPull(api, repo, { template: tpl, number: 7, labels: ['template-drift', 'template-drift:conflicts'] });

    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0'));

    const [created] = sentBodies('POST', '/repos/acme/payments/pulls');
    expect(created).toMatchObject({ title: 'Update service-template to v1.1.0', head: UPDATE_BRANCH, base: 'main', draft: true });
    const body = String(created?.body);
    expect(body).toContain('| `Dockerfile` | updated |');
    expect(body).toContain('| `Makefile` | conflict |');
    expect(body).toContain('### Conflicts');
    expect(body).toContain('Notes for v1.1.0');
    expect(body).not.toContain('Notes for v1.0.0');
    expect(body).toContain('`/sync-template <tag>`');
    // The marker records the commit the app pushed: how it later tells its own head from a person's.
    const pushed = await payments.bare.sha(UPDATE_BRANCH);
    expect(body).toMatch(new RegExp(`<!-- template-drift-update \\{"template":"[^"]+","from":"v1\\.0\\.0","to":"v1\\.1\\.0","head":"${pushed}"\\} -->$`));

    expect(await git(payments.bare.dir, 'log', '--format=%B', '-1', UPDATE_BRANCH)).toBe('chore(template): update service-template to v1.1.0\n\nTemplate-Drift-Update: v1.1.0\n\n');
    expect(await payments.bare.sha(`${UPDATE_BRANCH}^`)).toBe(await payments.bare.sha('main'));
    expect(await payments.bare.show(UPDATE_BRANCH, 'Makefile')).toBe(
      'test:\n<<<<<<< repository\n\tpytest -x\n=======\n\tpytest --cov\n>>>>>>> template v1.1.0\n\nlint:\n\truff check .\n');
  });

  it('is refreshed in place when a newer release comes: a rewritten branch and a PATCH, never a second PR', async () => {
    const f = await fleet();
    const created = await firstPullRequest(f, 7);
    const first = await f.payments.bare.sha(UPDATE_BRANCH);
    await f.template.release('v1.2.0', { 'Dockerfile.hbs': 'FROM python:3.14-slim\nENV LOG_LEVEL={{log_level}}\n' });

    const open = openPullFrom(PAYMENTS, 7, created);
    mockUpdateToRefreshedPull(mockGitHub(), f.repo, { template: f.tpl, openPull: open, releaseTags: ['v1.0.0', 'v1.1.0', 'v1.2.0'] });
    await f.app.receive('release', releasePayload('v1.2.0'));

    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
    const [patch] = sentBodies('PATCH', '/repos/acme/payments/pulls/7');
    expect(patch?.title).toBe('Update service-template to v1.2.0');
    expect(String(patch?.body)).toContain('Notes for v1.1.0');
    expect(String(patch?.body)).toContain('Notes for v1.2.0');
    expect(await f.payments.bare.sha(UPDATE_BRANCH)).not.toBe(first);
    expect(await f.payments.bare.sha(`${UPDATE_BRANCH}^`)).toBe(await f.payments.bare.sha('main'));
    expect(await f.payments.bare.show(UPDATE_BRANCH, 'Dockerfile')).toBe('FROM python:3.14-slim\nENV LOG_LEVEL=INFO\n');
  });

  it('is closed with a comment, and its branch deleted, once main no longer needs it', async () => {
    const f = await fleet();
    const created = await firstPullRequest(f, 7);
    // Someone applies the template's change on main by hand.
    await f.payments.commit({ 'Dockerfile': 'FROM python:3.13-slim\nENV LOG_LEVEL=INFO\n' }, 'bump base image');

    const api = mockGitHub();
    const open = openPullFrom(PAYMENTS, 7, created);
    mockPulls(api, PAYMENTS, 'open', [open]);
    mockUpdateStart(api, f.repo, { template: f.tpl, openPull: open });
    mockPulls(api, PAYMENTS, 'closed');
    mockBranchHead(api, PAYMENTS, f.payments.bare);
    mockComment(api, PAYMENTS, 7);
    mockUpdatePull(api, open);
    api.delete(/^\/repos\/acme\/payments\/git\/refs\/heads(\/|%2F)template-drift(\/|%2F)update$/).reply(204);
    mockIssues(api, PAYMENTS);
    await f.app.receive('push', pushPayload(PAYMENTS, ['Dockerfile']));

    expect(commentsSent(PAYMENTS, 7)).toEqual(['This repository is already in line with v1.1.0; closing.']);
    expect(sentBodies('PATCH', '/repos/acme/payments/pulls/7')).toEqual([{ state: 'closed' }]);
  });

  it('finds and updates the existing PR when GitHub answers 422 "A pull request already exists"', async () => {
    const f = await fleet();
    const api = mockGitHub();
    const existing = { number: 5, ...PAYMENTS, title: 'Update service-template to v1.0.9', body: markerBody('v1.0.9') };
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateStart(api, f.repo, { template: f.tpl });
    mockPulls(api, PAYMENTS, 'closed');
    mockReleaseNotes(api);
    api.post('/repos/acme/payments/pulls').reply(422, {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for acme:template-drift/update.' }],
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
    });
    mockPulls(api, PAYMENTS, 'open', [existing]);
    mockUpdatePull(api, existing);
    mockAddLabels(api, PAYMENTS, 5, ['template-drift']);
    mockIssues(api, PAYMENTS);
    await f.app.receive('release', releasePayload('v1.1.0'));

    const [patch] = sentBodies('PATCH', '/repos/acme/payments/pulls/5');
    expect(patch?.title).toBe('Update service-template to v1.1.0');
    expect(String(patch?.body)).toContain('"to":"v1.1.0"');
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
  });

  it('stops rewriting a branch a person committed to, and says so once', async () => {
    const f = await fleet();
    const created = await firstPullRequest(f, 7);
    const theirs = await pushAsPerson(f.payments.bare, UPDATE_BRANCH, { 'NOTES.md': 'fixed by hand\n' });
    const open = openPullFrom(PAYMENTS, 7, created);

    const hands = '<!-- template-drift-hands-off -->';
    for (const earlier of [[], [{ body: `Someone other than template-drift pushed.\n\n${hands}`, user: { login: 'template-drift[bot]' } }]]) {
      const api = mockGitHub();
      mockRelease(api, f.tpl, [f.repo]);
      mockUpdateStart(api, f.repo, { template: f.tpl, openPull: open });
      mockPulls(api, PAYMENTS, 'closed');
      api.get('/repos/acme/payments/issues/7/comments').query(true).reply(200, earlier);
      if (earlier.length === 0) mockComment(api, PAYMENTS, 7);
      await f.app.receive('release', releasePayload('v1.1.0'));
    }

    const comments = commentsSent(PAYMENTS, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatch(/^Someone other than template-drift pushed to `template-drift\/update`, so the app will not rewrite this branch any more\./);
    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBe(theirs);
  });

  it('leaves alone a branch a person force-pushed', async () => {
    const f = await fleet();
    const theirs = await pushAsPerson(f.payments.bare, UPDATE_BRANCH, { 'Dockerfile': 'FROM python:3.13\n' }, { force: true });
    const open = { number: 9, ...PAYMENTS, title: 'Update service-template to v1.1.0', body: markerBody('v1.1.0'), labels: ['template-drift'] };

    const api = mockGitHub();
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateStart(api, f.repo, { template: f.tpl, openPull: open });
    mockPulls(api, PAYMENTS, 'closed');
    api.get('/repos/acme/payments/issues/9/comments').query(true).reply(200, []);
    mockComment(api, PAYMENTS, 9);
    await f.app.receive('release', releasePayload('v1.1.0'));

    expect(sentBodies('POST', '/repos/acme/payments/issues/9/comments')).toHaveLength(1);
    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBe(theirs);
  });

  it('is not offered again for a version whose PR was closed unmerged, but /sync-template still makes it', async () => {
    const f = await fleet();
    const declined = { number: 4, ...PAYMENTS, state: 'closed' as const, title: 'Update service-template to v1.1.0', body: markerBody('v1.1.0') };

    const api = mockGitHub();
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateStart(api, f.repo, { template: f.tpl });
    mockPulls(api, PAYMENTS, 'closed', [declined]);
    await f.app.receive('release', releasePayload('v1.1.0'));
    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();

    const command = commentPayload(PAYMENTS, '/sync-template v1.1.0', { issue: 4 });
    const again = mockGitHub();
    mockReaction(again, PAYMENTS, commentId(command));
    mockPermission(again, PAYMENTS, 'Codertocat', 'write');
    mockUpdateToNewPull(again, f.repo, { template: f.tpl, number: 8, explicit: true });
    mockComment(again, PAYMENTS, 4);
    await f.app.receive('issue_comment', command);

    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
    expect(await f.payments.bare.show(UPDATE_BRANCH, '.github/template-drift.yml')).toMatch(/^version: v1\.1\.0$/m);
  });

  it('is offered for a newer release after an older version was declined', async () => {
    const f = await fleet();
    await f.template.release('v1.2.0', { 'Makefile': 'test:\n\tpytest\n' });
    const declined = { number: 4, ...PAYMENTS, state: 'closed' as const, title: 'Update service-template to v1.1.0', body: markerBody('v1.1.0') };

    const api = mockGitHub();
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateToNewPull(api, f.repo, { template: f.tpl, number: 8, closedPulls: [declined], releaseTags: ['v1.1.0', 'v1.2.0'] });
    await f.app.receive('release', releasePayload('v1.2.0'));

    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toMatchObject([{ title: 'Update service-template to v1.2.0' }]);
  });

  it('is not made when the release changes nothing in the repository: no branch, no PR', async () => {
    const f = await fleet({ 'template.yml': `# only a comment changes\n${TEMPLATE_MANIFEST}` });
    const api = mockGitHub();
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateStart(api, f.repo, { template: f.tpl });
    mockPulls(api, PAYMENTS, 'closed');
    mockIssues(api, PAYMENTS);
    await f.app.receive('release', releasePayload('v1.1.0'));

    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toEqual([]);
  });
});
