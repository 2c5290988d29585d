import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { TemplateDriftOctokit } from '../../src/app/octokit.js';
import { OctokitPlatform } from '../../src/github/octokit-platform.js';
import { API } from '../support/app-harness.js';
import { contentJson, contentsPath, pullJson } from '../support/github-nock.js';
import { issueJson, ISSUE_TITLE, useGitHub } from '../support/github-mocks.js';

// Every mock used, and no request unmocked: a blind resend shows up as an unmatched request.
useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
const ISSUES = '/repos/acme/payments/issues';
const ISSUE_LIST = { state: 'all', labels: 'template-drift', per_page: '100' };
const COMMENTS = '/repos/acme/payments/issues/3/comments';
const PULLS = '/repos/acme/payments/pulls';
const OPEN_UPDATE_PULLS = { state: 'open', head: 'acme:template-drift/update', per_page: '100' };
const DRAFT = { title: 'Update service-template to v1.1.0', body: 'the update', head: 'template-drift/update', base: 'main', draft: false };
const BAD_GATEWAY = { message: 'Server Error' };

/**
 * The Platform over the app's own Octokit with the retry plugin ON (as in production, with
 * millisecond waits): what these tests check is exactly what that plugin may and may not resend.
 */
function platform(): OctokitPlatform {
  const octokit = new TemplateDriftOctokit({ auth: { token: 'ghs_test' }, retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } });
  return new OctokitPlatform({ octokit, createToken: () => Promise.resolve({ token: 'ghs_test', expiresAt: new Date(Date.now() + 3_600_000) }), serializeWrite: (write) => write() });
}

/** Counts the requests each interceptor of `scope` receives, and keeps their JSON bodies. */
function recording(scope: nock.Scope): { bodies: (method: string, path: string) => Record<string, unknown>[] } {
  const sent: { method: string; path: string; body: Record<string, unknown> }[] = [];
  scope.on('request', (req: { method: string; path: string }, _interceptor: unknown, body: string | undefined) => {
    sent.push({ method: req.method, path: req.path.split('?')[0]!, body: body ? JSON.parse(body) as Record<string, unknown> : {} });
  });
  return { bodies: (method, path) => sent.filter((r) => r.method === method && r.path === path).map((r) => r.body) };
}

describe('a create GitHub answered with a 5xx is looked for before it is sent again', () => {
  it('issue: performed, then 502: the look-up finds it and nothing is created again', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(ISSUES).reply(502, BAD_GATEWAY);
    api.get(ISSUES).query(ISSUE_LIST).reply(200, [{ ...issueJson(PAYMENTS, { number: 5, body: 'the problem' }), title: ISSUE_TITLE }]);

    const issue = await platform().createIssue(PAYMENTS, ISSUE_TITLE, 'the problem');

    expect(issue).toMatchObject({ number: 5, state: 'open' });
    expect(log.bodies('POST', ISSUES)).toHaveLength(1);
  });

  it('issue: a genuine 502 (nothing created) is sent exactly once more', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(ISSUES).reply(502, BAD_GATEWAY);
    api.get(ISSUES).query(ISSUE_LIST).reply(200, []);
    api.post(ISSUES).reply(201, { number: 6, body: 'the problem', html_url: 'https://github.com/acme/payments/issues/6' });

    const issue = await platform().createIssue(PAYMENTS, ISSUE_TITLE, 'the problem');

    expect(issue).toMatchObject({ number: 6 });
    expect(log.bodies('POST', ISSUES)).toEqual([
      { title: ISSUE_TITLE, body: 'the problem', labels: ['template-drift'] },
      { title: ISSUE_TITLE, body: 'the problem', labels: ['template-drift'] },
    ]);
  });

  it('issue: failing twice is an error after two creates, not a third', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(ISSUES).times(2).reply(503, BAD_GATEWAY);
    api.get(ISSUES).query(ISSUE_LIST).reply(200, []);

    await expect(platform().createIssue(PAYMENTS, ISSUE_TITLE, 'the problem')).rejects.toMatchObject({ status: 503 });
    expect(log.bodies('POST', ISSUES)).toHaveLength(2);
  });

  it('issue: a 4xx is no reason to look (GitHub refused it): the error as it is, one request', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(ISSUES).reply(410, { message: 'Issues are disabled for this repo' });

    await expect(platform().createIssue(PAYMENTS, ISSUE_TITLE, 'the problem')).rejects.toMatchObject({ status: 410 });
    expect(log.bodies('POST', ISSUES)).toHaveLength(1);
  });

  it('comment: performed, then 502: its hidden marker finds it among the comments, and nothing is posted again', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(COMMENTS).reply(502, BAD_GATEWAY);
    api.get(COMMENTS).query({ per_page: '100' }).reply(200, () => [
      { id: 1, body: 'an earlier comment', user: { login: 'octo-person' } },
      { id: 2, body: log.bodies('POST', COMMENTS)[0]!.body, user: { login: 'template-drift[bot]' } },
    ]);

    await platform().comment(PAYMENTS, 3, 'This repository is already in line with v1.1.0; closing.');

    const [posted] = log.bodies('POST', COMMENTS);
    expect(log.bodies('POST', COMMENTS)).toHaveLength(1);
    expect(posted!.body).toMatch(/^This repository is already in line with v1\.1\.0; closing\.\n\n<!-- template-drift-comment [0-9a-f-]{36} -->$/);
  });

  it('comment: the same text posted earlier is not mistaken for this one: a genuine 502 posts once more, with the same marker', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(COMMENTS).reply(502, BAD_GATEWAY);
    api.get(COMMENTS).query({ per_page: '100' }).reply(200, [
      { id: 1, body: 'The template update now succeeds; closing.\n\n<!-- template-drift-comment 00000000-0000-4000-8000-000000000000 -->', user: { login: 'template-drift[bot]' } },
    ]);
    api.post(COMMENTS).reply(201, { id: 2, body: 'ok' });

    await platform().comment(PAYMENTS, 3, 'The template update now succeeds; closing.');

    const posted = log.bodies('POST', COMMENTS).map((body) => String(body.body));
    expect(posted).toHaveLength(2);
    expect(posted[1]).toBe(posted[0]);
    expect(posted[0]).not.toContain('00000000-0000-4000-8000-000000000000');
  });

  it('pull request: performed, then 502: the branch\'s open PR is the one, and nothing is created again', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(PULLS).reply(502, BAD_GATEWAY);
    api.get(PULLS).query(OPEN_UPDATE_PULLS).reply(200, [pullJson({ number: 9, ...PAYMENTS, title: DRAFT.title, body: DRAFT.body })]);

    const pull = await platform().createPull(PAYMENTS, DRAFT);

    expect(pull).toMatchObject({ number: 9, title: DRAFT.title });
    expect(log.bodies('POST', PULLS)).toHaveLength(1);
  });

  it('pull request: a genuine 502 is sent exactly once more', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(PULLS).reply(502, BAD_GATEWAY);
    api.get(PULLS).query(OPEN_UPDATE_PULLS).reply(200, []);
    api.post(PULLS).reply(201, (_uri, body) => pullJson({ number: 10, ...PAYMENTS, ...(body as object) }));

    const pull = await platform().createPull(PAYMENTS, DRAFT);

    expect(pull).toMatchObject({ number: 10 });
    expect(log.bodies('POST', PULLS)).toHaveLength(2);
  });

  it('a dropped connection counts as "maybe performed" too: looked for, not resent blindly', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post(COMMENTS).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    api.get(COMMENTS).query({ per_page: '100' }).reply(200, []);
    api.post(COMMENTS).reply(201, { id: 2, body: 'ok' });

    await platform().comment(PAYMENTS, 3, 'hello');

    expect(log.bodies('POST', COMMENTS)).toHaveLength(2);
  });
});

describe('what the retry plugin still resends', () => {
  it('labels and reactions, whose repetition creates nothing: resent after a 502', async () => {
    const api = nock(API);
    const log = recording(api);
    api.post('/repos/acme/payments/issues/9/labels').reply(502, BAD_GATEWAY);
    api.post('/repos/acme/payments/issues/9/labels').reply(200, [{ name: 'template-drift' }]);
    api.post('/repos/acme/payments/issues/comments/77/reactions').reply(502, BAD_GATEWAY);
    // GitHub's answer when this reaction already exists: 200 with it.
    api.post('/repos/acme/payments/issues/comments/77/reactions').reply(200, { id: 1, content: 'eyes' });

    const github = platform();
    await github.addLabels(PAYMENTS, 9, ['template-drift']);
    await github.react(PAYMENTS, 77, 'eyes');

    expect(log.bodies('POST', '/repos/acme/payments/issues/9/labels')).toEqual([{ labels: ['template-drift'] }, { labels: ['template-drift'] }]);
    expect(log.bodies('POST', '/repos/acme/payments/issues/comments/77/reactions')).toHaveLength(2);
  });

  it('GET, PATCH and DELETE are retried after a 502 as before', async () => {
    const api = nock(API);
    const log = recording(api);
    api.get(contentsPath('acme', 'payments', '.github/template-drift.yml')).reply(502, BAD_GATEWAY);
    api.get(contentsPath('acme', 'payments', '.github/template-drift.yml')).reply(200, contentJson('.github/template-drift.yml', 'template: acme/t\n'));
    api.patch('/repos/acme/payments/pulls/9').reply(502, BAD_GATEWAY);
    api.patch('/repos/acme/payments/pulls/9').reply(200, pullJson({ number: 9, ...PAYMENTS, state: 'closed' }));
    api.delete('/repos/acme/payments/git/refs/heads%2Ftemplate-drift%2Fupdate').reply(502, BAD_GATEWAY);
    api.delete('/repos/acme/payments/git/refs/heads%2Ftemplate-drift%2Fupdate').reply(204);

    const github = platform();
    expect(await github.fileText(PAYMENTS, '.github/template-drift.yml')).toBe('template: acme/t\n');
    expect(await github.updatePull(PAYMENTS, 9, { state: 'closed' })).toMatchObject({ state: 'closed' });
    await github.deleteBranch(PAYMENTS, 'template-drift/update');

    expect(log.bodies('PATCH', '/repos/acme/payments/pulls/9')).toHaveLength(2);
  });
});
