import { describe, expect, it, onTestFinished } from 'vitest';
import { rejectPushes } from '../support/git-remote.js';
import {
  mockAnswers, mockGitHub, mockPulls, mockReleaseNotes, mockRepository, mockUpdateStart, sentRequests, serviceRepo, startApp, syncTemplateReply, takeJobErrors, templateRepo, UPDATE_BRANCH, useGitHub,
} from '../support/github-mocks.js';
import { INSTALLATION_TOKEN, repoJson } from '../support/github-nock.js';
import { createService, createTemplate } from '../support/service-fleet.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };

describe('failures leave nothing half-made', () => {
  it('a rejected push is a clear failure: no branch, no PR, no issue', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM python:3.13-slim\n' });
    const payments = await createService(template, 'payments');
    await rejectPushes(payments.bare);
    const api = mockGitHub();
    mockUpdateStart(api, await serviceRepo('payments', payments), { template: templateRepo(template) });

    const app = await startApp();
    const reply = await syncTemplateReply(app, api, PAYMENTS);

    expect(reply).toMatch(/^@Codertocat the template update failed:\n\n> git push failed for file:\/\/\S+: remote: pushes are refused here\s+error: failed to push some refs/);
    expect(await payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
    expect(sentRequests().filter((request) => /\/(pulls|issues)$/.test(request.path) && request.method === 'POST')).toEqual([]);
  });

  it('a GitHub error while making the PR still gets /sync-template an answer, without GitHub\'s internals', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM python:3.13-slim\n' });
    const payments = await createService(template, 'payments');
    const api = mockGitHub();
    mockUpdateStart(api, await serviceRepo('payments', payments), { template: templateRepo(template) });
    mockReleaseNotes(api);
    api.post('/repos/acme/payments/pulls').reply(500, { message: 'Internal error: shard 7 unavailable' });
    mockPulls(api, PAYMENTS, 'open');
    api.post('/repos/acme/payments/pulls').reply(500, { message: 'Internal error: shard 7 unavailable' });

    const app = await startApp();
    const reply = await syncTemplateReply(app, api, PAYMENTS);

    expect(reply).toBe('@Codertocat the template update failed:\n\n> an unexpected error; the app\'s log has the details');
    expect(takeJobErrors().map(String)).toEqual([expect.stringContaining('shard 7 unavailable')]);
  });

  it('a clone over HTTPS-style auth that fails is answered in plain words, without the installation token', async () => {
    // A loopback port nothing listens on: git gets the token (as an extra header) and fails at once.
    const previous = process.env.no_proxy;
    process.env.no_proxy = '127.0.0.1';
    onTestFinished(() => {
      process.env.no_proxy = previous;
    });
    const repo = { ...(await serviceRepo('payments', undefined, 'template: acme/service-template\n')), json: repoJson('acme', 'payments', 'http://127.0.0.1:1/acme/payments.git') };
    const api = mockGitHub();
    mockAnswers(api, repo);
    mockRepository(api, repo);

    const app = await startApp();
    const reply = await syncTemplateReply(app, api, PAYMENTS);

    expect(reply).toMatch(/^@Codertocat the template update failed:\n\n> Cannot clone http:\/\/127\.0\.0\.1:1\/acme\/payments\.git: /);
    expect(reply).not.toContain(INSTALLATION_TOKEN);
    expect(reply).not.toContain(Buffer.from(`x-access-token:${INSTALLATION_TOKEN}`).toString('base64'));
    // A refused connection may pass: no "action required" issue for it (a job would be tried again; a command was answered).
    expect(sentRequests().filter((request) => request.path.endsWith('/issues') && request.method === 'POST')).toEqual([]);
  });
});
