import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app-harness.js';
import {
  commentsSent, commentId, commentPayload, ISSUE_TITLE, issueJson, mockAnswers, mockComment, mockGitHub, mockIssues, mockPermission, mockPulls,
  mockReaction, mockRelease, mockRepository, mockUpdateStart, mockUpdateToNewPull, pushPayload, releasePayload,
  sentBodies, serviceRepo, startApp, templateRepo, UPDATE_BRANCH, useGitHub, type MockRepo,
} from '../support/github-mocks.js';
import { createService, createTemplate, type ServiceFixture, type TemplateFixture } from '../support/service-fleet.js';
import type nock from 'nock';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };

/** POST /issues answered with the new issue. */
function mockCreateIssue(api: nock.Scope): void {
  api.post('/repos/acme/payments/issues').reply(201, (_uri, body) => issueJson(PAYMENTS, { number: 30, body: String((body as { body: string }).body) }));
}

/** What the app filed: the one "action required" issue's title and body. */
function filedIssues(): { title: unknown; body: string; labels: unknown }[] {
  return sentBodies('POST', '/repos/acme/payments/issues').map((issue) => ({ title: issue.title, body: String(issue.body), labels: issue.labels }));
}

/** /sync-template by a writer, through to the app's reply on issue 1. */
async function syncTemplate(app: TestApp, api: nock.Scope, ref = ''): Promise<void> {
  const payload = commentPayload(PAYMENTS, `/sync-template${ref ? ` ${ref}` : ''}`, { issue: 1 });
  mockReaction(api, PAYMENTS, commentId(payload));
  mockPermission(api, PAYMENTS, 'Codertocat', 'write');
  mockComment(api, PAYMENTS, 1);
  await app.receive('issue_comment', payload);
}

/**
 * A push that makes the answers file name `template` (a name, or one made from the template
 * fixture), with GitHub answering up to the "action required" issue; `mock` adds the template's own calls.
 */
async function pushAnswersNaming(template: string | ((fixture: TemplateFixture) => string), mock?: (api: nock.Scope) => void): Promise<ServiceFixture> {
  const fixture = await createTemplate();
  const payments = await createService(fixture, 'payments', typeof template === 'string' ? template : template(fixture));
  const api = mockGitHub();
  mockPulls(api, PAYMENTS, 'open');
  const repo = await serviceRepo('payments', payments);
  mockAnswers(api, repo);
  mockRepository(api, repo);
  mock?.(api);
  mockIssues(api, PAYMENTS);
  mockCreateIssue(api);
  const app = await startApp();
  await app.receive('push', pushPayload(PAYMENTS, ['.github/template-drift.yml']));
  return payments;
}

async function expectNothingMade(payments: ServiceFixture): Promise<void> {
  expect(await payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
  expect(sentBodies('POST', '/repos/acme/payments/pulls')).toEqual([]);
}

describe('broken configuration', () => {
  it('an invalid answers file: no crash, no branch, no PR, one "action required" issue that explains it', async () => {
    const template = await createTemplate();
    const payments = await createService(template, 'payments');
    await payments.commit({ '.github/template-drift.yml': 'template: acme/service-template\nvariables: [oops\n' }, 'break the answers');
    const repo: MockRepo = await serviceRepo('payments', payments);
    const api = mockGitHub();
    mockAnswers(api, repo);
    mockRepository(api, repo);
    mockIssues(api, PAYMENTS);
    mockCreateIssue(api);

    const app = await startApp();
    await syncTemplate(app, api);

    const [issue, more] = filedIssues();
    expect(more).toBeUndefined();
    expect(issue).toMatchObject({ title: ISSUE_TITLE, labels: ['template-drift'] });
    expect(issue?.body).toContain('.github/template-drift.yml');
    expect(issue?.body).toContain('comment `/sync-template` on this issue to try again');
    await expectNothingMade(payments);
  });

  it('a second failure (a template tag that does not exist) updates the open issue instead of filing another', async () => {
    const template = await createTemplate();
    const payments = await createService(template, 'payments');
    const api = mockGitHub();
    mockUpdateStart(api, await serviceRepo('payments', payments), { template: templateRepo(template) });
    mockIssues(api, PAYMENTS, [{ number: 30, body: 'the previous problem' }]);
    api.patch('/repos/acme/payments/issues/30').reply(200, issueJson(PAYMENTS, { number: 30 }));

    const app = await startApp();
    await syncTemplate(app, api, 'v9.9.9');

    expect(filedIssues()).toEqual([]);
    const [patch] = sentBodies('PATCH', '/repos/acme/payments/issues/30');
    expect(patch).toMatchObject({ state: 'open' });
    expect(String(patch?.body)).toContain(`Template ${template.bare.url} has no tag or branch "v9.9.9"`);
    await expectNothingMade(payments);
  });

  it('a template this installation cannot read (after a push that changed the answers file) is reported in the issue', async () => {
    const payments = await pushAnswersNaming('acme/missing-template', (api) => {
      api.get('/repos/acme/missing-template').reply(404, { message: 'Not Found' });
    });
    expect(filedIssues()).toHaveLength(1);
    expect(filedIssues()[0]?.body).toContain("Template acme/missing-template cannot be read by this repository's installation of the app");
    await expectNothingMade(payments);
  });

  it('a template on the server\'s own disk (file://) is refused before git runs, saying which sources are allowed', async () => {
    const payments = await pushAnswersNaming((template) => template.bare.url);
    expect(filedIssues()).toHaveLength(1);
    expect(filedIssues()[0]?.body).toContain('file:// is not fetched by the app');
    expect(filedIssues()[0]?.body).toContain('The app reads templates only from the GitHub it serves: `owner/repo`');
    await expectNothingMade(payments);
  });

  it('a release whose template does not render is reported in the issue', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM {{#if log_level}}python:3.13\n' });
    const payments = await createService(template, 'payments');
    const tpl = templateRepo(template);
    const repo = await serviceRepo('payments', payments);
    const api = mockGitHub();
    mockRelease(api, tpl, [repo]);
    mockUpdateStart(api, repo, { template: tpl });
    mockIssues(api, PAYMENTS);
    mockCreateIssue(api);

    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0'));

    expect(filedIssues()).toHaveLength(1);
    expect(filedIssues()[0]?.body).toContain('Dockerfile.hbs');
    await expectNothingMade(payments);
  });

  it('the issue is closed, with a comment, once an update succeeds', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM python:3.13-slim\n' });
    const payments = await createService(template, 'payments');
    const tpl = templateRepo(template);
    const repo = await serviceRepo('payments', payments);
    const api = mockGitHub();
    mockRelease(api, tpl, [repo]);
    mockUpdateToNewPull(api, repo, { template: tpl, number: 7, issues: [{ number: 30 }] });
    mockComment(api, PAYMENTS, 30);
    api.patch('/repos/acme/payments/issues/30', { state: 'closed' }).reply(200, issueJson(PAYMENTS, { number: 30, state: 'closed' }));

    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0'));

    expect(commentsSent(PAYMENTS, 30)).toEqual(['The template update now succeeds; closing.']);
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
  });
});
