import { describe, expect, it } from 'vitest';
import {
  ANSWERS_PATH, commentsSent, commentId, commentPayload, mockComment, mockGitHub, mockIssues, mockPermission, mockReaction, mockUpdateStart, mockUpdateToNewPull,
  sentRequests, serviceRepo, startApp, templateRepo, UPDATE_BRANCH, useGitHub, type RepoRef,
} from '../support/github-mocks.js';
import { createService, createTemplate } from '../support/service-fleet.js';

useGitHub();

const PAYMENTS: RepoRef = { owner: 'acme', repo: 'payments' };
const ISSUE = 1;

/** The replies the app posted on the comment's issue or PR. */
function replies(): string[] {
  return commentsSent(PAYMENTS, ISSUE);
}

/** GitHub's side of the acknowledgement and the permission check. */
function mockAcknowledged(payload: Record<string, unknown>, permission: string) {
  const api = mockGitHub();
  mockReaction(api, PAYMENTS, commentId(payload));
  mockPermission(api, PAYMENTS, 'Codertocat', permission);
  return api;
}

describe('/sync-template', () => {
  it('is acknowledged with eyes at once, runs for a writer, and answers with a link to the update PR', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM python:3.13-slim\n' });
    const payments = await createService(template, 'payments');
    const payload = commentPayload(PAYMENTS, 'Could we get the new base image?\n/sync-template\nThanks', { issue: ISSUE });
    const api = mockAcknowledged(payload, 'write');
    mockUpdateToNewPull(api, await serviceRepo('payments', payments), { template: templateRepo(template), number: 12, explicit: true });
    mockComment(api, PAYMENTS, ISSUE);

    const app = await startApp();
    await app.receive('issue_comment', payload);

    const calls = sentRequests().filter((request) => !request.path.includes('/access_tokens')).map((request) => `${request.method} ${request.path}`);
    expect(calls[0]).toBe(`POST /repos/acme/payments/issues/comments/${commentId(payload)}/reactions`);
    expect(replies()).toEqual(['@Codertocat updated the template update to v1.1.0: https://github.com/acme/payments/pull/12.']);
    expect(await payments.bare.show(UPDATE_BRANCH, 'Dockerfile')).toBe('FROM python:3.13-slim\n');
  });

  it('answers "already in line" when the repository is at the latest release', async () => {
    const template = await createTemplate();
    const payments = await createService(template, 'payments');
    const payload = commentPayload(PAYMENTS, '/sync-template', { issue: ISSUE });
    const api = mockAcknowledged(payload, 'maintain');
    mockUpdateStart(api, await serviceRepo('payments', payments), { template: templateRepo(template) });
    mockIssues(api, PAYMENTS);
    mockComment(api, PAYMENTS, ISSUE);

    const app = await startApp();
    await app.receive('issue_comment', payload);

    expect(replies()).toEqual(['@Codertocat already in line with v1.0.0.']);
    expect(await payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
  });

  it('refuses a ref older than the recorded version, naming it, with no PR and no issue', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM python:3.13-slim\n' });
    const payments = await createService(template, 'payments');
    const answers = await payments.bare.show('main', ANSWERS_PATH);
    const v11 = await template.bare.sha('v1.1.0^{commit}');
    await payments.commit({ [ANSWERS_PATH]: answers.replace(/^version: .*$/m, 'version: v1.1.0').replace(/^commit: .*$/m, `commit: ${v11}`) }, 'merge the v1.1.0 update');
    const payload = commentPayload(PAYMENTS, '/sync-template v1.0.0', { issue: ISSUE });
    const api = mockAcknowledged(payload, 'write');
    mockUpdateStart(api, await serviceRepo('payments', payments), { template: templateRepo(template) });
    mockComment(api, PAYMENTS, ISSUE);

    const app = await startApp();
    await app.receive('issue_comment', payload);

    expect(replies()).toEqual(['@Codertocat nothing was changed: v1.0.0 is older than v1.1.0, the version this repository records, and the app never downgrades. ' +
      'To go back on purpose, run `template-drift update --to v1.0.0 --allow-downgrade` in a checkout and open a pull request.']);
    expect(await payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
  });

  it('answers with the error in plain words when the update cannot be made', async () => {
    const template = await createTemplate();
    const payments = await createService(template, 'payments');
    const payload = commentPayload(PAYMENTS, '/sync-template v9.9.9', { issue: ISSUE });
    const api = mockAcknowledged(payload, 'admin');
    mockUpdateStart(api, await serviceRepo('payments', payments), { template: templateRepo(template) });
    mockIssues(api, PAYMENTS);
    api.post('/repos/acme/payments/issues').reply(201, { number: 30, html_url: 'https://github.com/acme/payments/issues/30', body: '' });
    mockComment(api, PAYMENTS, ISSUE);

    const app = await startApp();
    await app.receive('issue_comment', payload);

    expect(replies()).toEqual([`@Codertocat the template update failed:\n\n> Template ${template.bare.url} has no tag or branch "v9.9.9"`]);
    expect(await payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
  });

  it.each([
    ['a bot', commentPayload(PAYMENTS, '/sync-template', { bot: true, login: 'renovate[bot]' })],
    ['an edited comment', commentPayload(PAYMENTS, '/sync-template', { action: 'edited' })],
    ['a comment without the command', commentPayload(PAYMENTS, 'Please run /sync-template soon')],
  ])('ignores %s without a single GitHub call', async (_what, payload) => {
    const app = await startApp();
    await app.receive('issue_comment', payload);
    // No mocks at all: useGitHub fails the test on any request.
    expect(sentRequests()).toEqual([]);
  });

  it.each(['read', 'triage', 'none'])('refuses a user with %s access, and runs nothing', async (permission) => {
    const payload = commentPayload(PAYMENTS, '/sync-template', { issue: ISSUE });
    const api = mockAcknowledged(payload, permission);
    mockComment(api, PAYMENTS, ISSUE);

    const app = await startApp();
    await app.receive('issue_comment', payload);

    expect(replies()).toEqual(['@Codertocat `/sync-template` needs write access to this repository; nothing was run.']);
  });

  it('refuses someone who is not a collaborator at all (404)', async () => {
    const payload = commentPayload(PAYMENTS, '/sync-template', { issue: ISSUE });
    const api = mockGitHub();
    mockReaction(api, PAYMENTS, commentId(payload));
    api.get('/repos/acme/payments/collaborators/Codertocat/permission').reply(404, { message: 'Not Found' });
    mockComment(api, PAYMENTS, ISSUE);

    const app = await startApp();
    await app.receive('issue_comment', payload);

    expect(replies()).toEqual(['@Codertocat `/sync-template` needs write access to this repository; nothing was run.']);
  });

  it('says so plainly, and runs nothing, when GitHub refuses the permission look-up (403)', async () => {
    const payload = commentPayload(PAYMENTS, '/sync-template', { issue: ISSUE });
    const api = mockGitHub();
    mockReaction(api, PAYMENTS, commentId(payload));
    api.get('/repos/acme/payments/collaborators/Codertocat/permission').reply(403, { message: 'Resource not accessible by integration' });
    mockComment(api, PAYMENTS, ISSUE);

    const app = await startApp();
    await app.receive('issue_comment', payload);

    expect(replies()).toEqual(['@Codertocat could not check your access to this repository with GitHub, so nothing was run; try again later.']);
  });

  it.each(['write', 'maintain', 'admin'])('refuses a ref that starts with "-" even from a user with %s access', async (permission) => {
    const payload = commentPayload(PAYMENTS, '/sync-template --upload-pack=/tmp/evil', { issue: ISSUE });
    const api = mockAcknowledged(payload, permission);
    mockComment(api, PAYMENTS, ISSUE);

    const app = await startApp();
    await app.receive('issue_comment', payload);

    expect(replies()).toEqual(['@Codertocat Ref "--upload-pack=/tmp/evil" is not a valid git ref name; nothing was run.']);
  });
});
