import { describe, expect, it } from 'vitest';
import type nock from 'nock';
import { countPushes } from '../support/git-remote.js';
import {
  commentsSent, commentId, commentPayload, mockAddLabels, mockAnswers, mockAnswersHistory, mockComment, mockCreatePull, mockGitHub, mockIssues, mockPermission, mockPulls,
  mockReaction, mockRelease, mockReleaseNotes, mockRepository, mockUpdateStart, mockUpdateToNewPull, openPullFrom, releasePayload,
  sentBodies, serviceRepo, startApp, takeJobErrors, templateRepo, UPDATE_BRANCH, useGitHub, type MockRepo,
} from '../support/github-mocks.js';
import { pullJson } from '../support/github-nock.js';
import { createService, createTemplate, type ServiceFixture } from '../support/service-fleet.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };

interface Fleet {
  readonly payments: ServiceFixture;
  readonly tpl: MockRepo;
  readonly repo: MockRepo;
  readonly pushes: () => Promise<number>;
}

async function fleet(): Promise<Fleet> {
  const template = await createTemplate();
  await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM python:3.13-slim\n' });
  const payments = await createService(template, 'payments');
  return { payments, tpl: templateRepo(template), repo: await serviceRepo('payments', payments), pushes: await countPushes(payments.bare) };
}

/** The update PR as GitHub lists it once the app created it (read when the app asks). */
function mockOpenPullAsCreated(api: nock.Scope, number: number): void {
  api.get('/repos/acme/payments/pulls').query({ state: 'open', head: 'acme:template-drift/update', per_page: '100' })
    .reply(200, () => [pullJson(openPullFrom(PAYMENTS, number, sentBodies('POST', '/repos/acme/payments/pulls').at(-1)!))]);
}

/** A redelivery after the PR exists: same reads, and nothing written but the issue look-up. */
function mockRedelivery(api: nock.Scope, f: Fleet, number: number): void {
  mockRelease(api, f.tpl, [f.repo]);
  mockAnswers(api, f.repo);
  mockRepository(api, f.repo);
  mockRepository(api, f.tpl);
  mockOpenPullAsCreated(api, number);
  mockAnswersHistory(api, f.repo);
  mockPulls(api, PAYMENTS, 'closed');
  mockReleaseNotes(api);
  mockIssues(api, PAYMENTS);
}

describe('webhook redeliveries and concurrent events', () => {
  it('the same release delivered twice gives one PR and one push; the second run changes nothing', async () => {
    const f = await fleet();
    const api = mockGitHub();
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateToNewPull(api, f.repo, { template: f.tpl, number: 7 });
    mockRedelivery(api, f, 7);

    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0'));
    const first = await f.payments.bare.sha(UPDATE_BRANCH);
    await app.receive('release', releasePayload('v1.1.0'));

    expect(await f.pushes()).toBe(1);
    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBe(first);
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
    expect(sentBodies('PATCH', /\/pulls\/7$/)).toEqual([]);
  });

  it('two deliveries at the same moment collapse into one job: one fan-out, one PR, one push', async () => {
    const f = await fleet();
    const api = mockGitHub();
    // One fan-out's reads and one update's: a second job would find no mock.
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateToNewPull(api, f.repo, { template: f.tpl, number: 7 });

    const app = await startApp();
    await Promise.all([app.receive('release', releasePayload('v1.1.0')), app.receive('release', releasePayload('v1.1.0'))]);

    expect(await f.pushes()).toBe(1);
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
  });

  it('a 5xx on PR creation, again after finding no PR, fails the job; the redelivery creates the PR without pushing again', async () => {
    const f = await fleet();
    const api = mockGitHub();
    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateStart(api, f.repo, { template: f.tpl });
    mockPulls(api, PAYMENTS, 'closed');
    mockReleaseNotes(api);
    // Not resent blindly: the branch's open PRs are looked up (none), then one more create.
    api.post('/repos/acme/payments/pulls').reply(502, { message: 'Server Error' });
    mockPulls(api, PAYMENTS, 'open');
    api.post('/repos/acme/payments/pulls').reply(502, { message: 'Server Error' });

    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0'));
    expect(takeJobErrors().map(String)).toEqual([expect.stringMatching(/Server Error/)]);
    const pushed = await f.payments.bare.sha(UPDATE_BRANCH);
    expect(pushed).toBeDefined();

    mockRelease(api, f.tpl, [f.repo]);
    mockUpdateStart(api, f.repo, { template: f.tpl });
    mockPulls(api, PAYMENTS, 'closed');
    mockReleaseNotes(api);
    mockCreatePull(api, PAYMENTS, 8);
    mockAddLabels(api, PAYMENTS, 8, ['template-drift']);
    mockIssues(api, PAYMENTS);
    await app.receive('release', releasePayload('v1.1.0'));

    expect(await f.pushes()).toBe(1);
    expect(await f.payments.bare.sha(UPDATE_BRANCH)).toBe(pushed);
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(3);
  });

  it('commands on more repositories than the queue runs at once all get their answer (no job waits on a slot it holds)', async () => {
    // The harness runs two jobs at a time: three commands, each waiting on its repository's
    // update. Repositories without answers keep the updates short (one read, no git).
    const api = mockGitHub();
    const payloads: Record<string, unknown>[] = [];
    for (const name of ['payments', 'orders', 'billing']) {
      const repo = await serviceRepo(name, undefined);
      const payload = commentPayload(repo, '/sync-template', { issue: 1 });
      mockReaction(api, repo, commentId(payload));
      mockPermission(api, repo, 'Codertocat', 'write');
      mockAnswers(api, repo);
      mockComment(api, repo, 1);
      payloads.push(payload);
    }

    const app = await startApp();
    await Promise.all(payloads.map((payload) => app.receive('issue_comment', payload)));

    for (const name of ['payments', 'orders', 'billing']) {
      expect(commentsSent({ owner: 'acme', repo: name }, 1))
        .toEqual([expect.stringMatching(/^@Codertocat this repository has no `\.github\/template-drift\.yml`/)]);
    }
  }, 20_000);
});
