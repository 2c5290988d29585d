import type nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app-harness.js';
import {
  mockAddLabels, mockGitHub, mockIssues, mockPulls, mockRelease, mockReleaseNotes, mockRemoveLabel, mockUpdatePull, mockUpdateStart,
  mockUpdateToNewPull, openPullFrom, pushPayload, releasePayload, sentBodies, sentRequests, serviceRepo, startApp, templateRepo,
  UPDATE_BRANCH, useGitHub, type MockRepo,
} from '../support/github-mocks.js';
import type { PullJsonInput } from '../support/github-nock.js';
import { createService, createTemplate, type ServiceFixture } from '../support/service-fleet.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
const CONFLICTS = 'template-drift:conflicts';
/** v1.0.0's Makefile runs `pytest`; v1.1.0 adds coverage, the service wants it to fail fast. */
const MAKEFILE_COV = 'test:\n\tpytest --cov\n\nlint:\n\truff check .\n';
const MAKEFILE_X = 'test:\n\tpytest -x\n\nlint:\n\truff check .\n';
const MAKEFILE_MERGED = 'test:\n<<<<<<< repository\n\tpytest -x\n=======\n\tpytest --cov\n>>>>>>> template v1.1.0\n\nlint:\n\truff check .\n';

interface Fleet {
  readonly payments: ServiceFixture;
  readonly tpl: MockRepo;
  readonly repo: MockRepo;
  readonly app: TestApp;
}

/** A template whose v1.1.0 changes the Makefile and the Dockerfile, and a service made from v1.0.0 (its Makefile as given). */
async function fleet(makefile?: string): Promise<Fleet> {
  const template = await createTemplate();
  await template.release('v1.1.0', { 'Makefile': MAKEFILE_COV, 'Dockerfile.hbs': 'FROM python:3.13-slim\nENV LOG_LEVEL={{log_level}}\n' });
  const payments = await createService(template, 'payments');
  if (makefile) await payments.commit({ 'Makefile': makefile }, 'fail fast');
  return { payments, tpl: templateRepo(template), repo: await serviceRepo('payments', payments), app: await startApp() };
}

/** The v1.1.0 release opens update PR 7 with `labels`; returns it as GitHub then lists it. */
async function openedByRelease(f: Fleet, labels: string[]): Promise<PullJsonInput> {
  const api = mockGitHub();
  mockRelease(api, f.tpl, [f.repo]);
  mockUpdateToNewPull(api, f.repo, { template: f.tpl, number: 7, labels });
  await f.app.receive('release', releasePayload('v1.1.0'));
  const [created] = sentBodies('POST', '/repos/acme/payments/pulls');
  return openPullFrom(PAYMENTS, 7, created!, { labels });
}

/**
 * GitHub's side of the refresh a push to main triggers while PR `open` is open: the reads, the
 * PATCH of its new text and the issue look-up. The test adds the label change it expects.
 */
function mockRefresh(f: Fleet, open: PullJsonInput): nock.Scope {
  const api = mockGitHub();
  mockPulls(api, PAYMENTS, 'open', [open]);
  mockUpdateStart(api, f.repo, { template: f.tpl, openPull: open });
  mockPulls(api, PAYMENTS, 'closed');
  mockReleaseNotes(api);
  mockUpdatePull(api, open);
  mockIssues(api, PAYMENTS);
  return api;
}

describe('refreshing the open update PR', () => {
  it('removes the conflicts label once the conflict is settled on main, and rewrites the PR text', async () => {
    const f = await fleet(MAKEFILE_X);
    const open = await openedByRelease(f, ['template-drift', CONFLICTS]);
    expect(open.draft).toBe(true);
    expect(await f.payments.bare.show(UPDATE_BRANCH, 'Makefile')).toBe(MAKEFILE_MERGED);
    // The maintainers take the template's Makefile on main; the push refreshes the PR.
    await f.payments.commit({ 'Makefile': MAKEFILE_COV }, 'take the template\'s Makefile');

    mockRemoveLabel(mockRefresh(f, open), PAYMENTS, 7, CONFLICTS);
    await f.app.receive('push', pushPayload(PAYMENTS, ['Makefile']));

    expect(sentRequests().filter((request) => request.method === 'DELETE').map((request) => request.path))
      .toEqual(['/repos/acme/payments/issues/7/labels/template-drift%3Aconflicts']);
    const [patch] = sentBodies('PATCH', '/repos/acme/payments/pulls/7');
    expect(patch?.title).toBe('Update service-template to v1.1.0');
    expect(String(patch?.body)).not.toContain('### Conflicts');
    expect(String(patch?.body)).not.toContain('| conflict |');
    expect(sentBodies('POST', '/repos/acme/payments/issues/7/labels')).toEqual([{ labels: ['template-drift', CONFLICTS] }]);
    expect(await f.payments.bare.show(UPDATE_BRANCH, 'Makefile')).toBe(MAKEFILE_COV);
    expect(await f.payments.bare.sha(`${UPDATE_BRANCH}^`)).toBe(await f.payments.bare.sha('main'));
  });

  it('adds the conflicts label when a change on main makes the update conflict, and says so in the PR', async () => {
    const f = await fleet();
    const open = await openedByRelease(f, ['template-drift']);
    expect(open.draft).toBe(false);
    expect(await f.payments.bare.show(UPDATE_BRANCH, 'Makefile')).toBe(MAKEFILE_COV);
    await f.payments.commit({ 'Makefile': MAKEFILE_X }, 'fail fast');

    mockAddLabels(mockRefresh(f, open), PAYMENTS, 7, [CONFLICTS]);
    await f.app.receive('push', pushPayload(PAYMENTS, ['Makefile']));

    const [patch] = sentBodies('PATCH', '/repos/acme/payments/pulls/7');
    expect(String(patch?.body)).toContain('| `Makefile` | conflict |');
    expect(String(patch?.body)).toContain('### Conflicts');
    expect(sentBodies('POST', '/repos/acme/payments/issues/7/labels')).toEqual([{ labels: ['template-drift'] }, { labels: [CONFLICTS] }]);
    expect(sentRequests().filter((request) => request.method === 'DELETE')).toEqual([]);
    expect(await f.payments.bare.show(UPDATE_BRANCH, 'Makefile')).toBe(MAKEFILE_MERGED);
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
  });
});
