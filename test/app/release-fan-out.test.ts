import { describe, expect, it } from 'vitest';
import { countObjectTransfers, hostAs } from '../support/git-remote.js';
import {
  ANSWERS_PATH, ISSUE_TITLE, issueJson, mockAnswers, mockFanOut, mockGitHub, mockIssues, mockRelease, mockRepository, mockUpdateStart, mockUpdateToNewPull,
  releasePayload, sentBodies, sentRequests, serviceRepo, startApp, templateRepo, UPDATE_BRANCH, useGitHub,
} from '../support/github-mocks.js';
import { contentsPath } from '../support/github-nock.js';
import { createService, createTemplate } from '../support/service-fleet.js';

useGitHub();

const DOCKERFILE_V11 = { 'Dockerfile.hbs': 'FROM python:3.13-slim\nENV LOG_LEVEL={{log_level}}\n' };

describe('a template release fans out', () => {
  it('updates every repository whose answers name the template, by owner/repo or clone URL in any letter case, fetching the template once', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const hosted = await hostAs(template.bare, 'acme/service-template');
    const payments = await createService(template, 'payments', 'ACME/Service-Template');
    const orders = await createService(template, 'orders', 'https://github.com/ACME/Service-Template.git');
    const tpl = templateRepo(hosted);
    const paymentsRepo = await serviceRepo('payments', payments);
    const ordersRepo = await serviceRepo('orders', orders);
    const billing = await serviceRepo('billing', undefined, 'template: acme/other-template\nversion: v1.0.0\n');
    const docs = await serviceRepo('docs', undefined);
    const legacy = await serviceRepo('legacy', undefined, 'template: acme/service-template\n');
    legacy.json.archived = true;

    const api = mockGitHub();
    mockFanOut(api, { template: tpl, repositories: [tpl, paymentsRepo, ordersRepo, billing, docs, legacy], anyTarget: true });
    mockUpdateToNewPull(api, paymentsRepo, { template: tpl, number: 7 });
    // The first update's read of the template's releases serves the second.
    mockUpdateToNewPull(api, ordersRepo, { template: tpl, number: 8, readsReleases: false });
    const transfers = await countObjectTransfers();

    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0'));

    for (const service of [payments, orders]) {
      expect(await service.bare.log(UPDATE_BRANCH)).toMatch(/^template-drift\[bot\] <[^>]+>\|chore\(template\): update service-template to v1\.1\.0\n/);
      expect(await service.bare.show(UPDATE_BRANCH, 'Dockerfile')).toBe('FROM python:3.13-slim\nENV LOG_LEVEL=INFO\n');
    }
    expect(sentBodies('POST', /^\/repos\/acme\/(payments|orders)\/pulls$/).map((pull) => pull.title))
      .toEqual(['Update service-template to v1.1.0', 'Update service-template to v1.1.0']);
    // Fetched once by the fan-out; both updates read it from the app's cache.
    expect(await transfers.servedBy(hosted)).toBe(1);
  });

  it('offers a prerelease only to repositories that ask for prereleases, and skips those already at or past it without cloning', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0-rc.1', DOCKERFILE_V11);
    const payments = await createService(template, 'payments');
    const answers = await payments.bare.show('main', '.github/template-drift.yml');
    await payments.commit({ '.github/template-drift.yml': `${answers}prereleases: true\n` }, 'accept prereleases');
    const tpl = templateRepo(template);
    const paymentsRepo = await serviceRepo('payments', payments);
    // No bare repository behind these: a clone would fail the test.
    const orders = await serviceRepo('orders', undefined, 'template: acme/service-template\nversion: v1.0.0\n');
    const ledger = await serviceRepo('ledger', undefined, 'template: acme/service-template\nversion: v1.2.0\nprereleases: true\n');
    const search = await serviceRepo('search', undefined, 'template: acme/service-template\nversion: v1.1.0-rc.1\nprereleases: true\n');

    const api = mockGitHub();
    mockFanOut(api, { template: tpl, repositories: [tpl, paymentsRepo, orders, ledger, search], anyTarget: true });
    mockUpdateToNewPull(api, paymentsRepo, { template: tpl, number: 3 });

    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0-rc.1', { prerelease: true }));

    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toMatchObject([{ title: 'Update service-template to v1.1.0-rc.1' }]);
    expect(await payments.bare.show(UPDATE_BRANCH, '.github/template-drift.yml')).toMatch(/^version: v1\.1\.0-rc\.1$/m);
  });

  it('a release behind the recorded commit, when that commit is no version (a SHA), is ordered by the template\'s history: no branch, no PR, no issue', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const payments = await createService(template, 'payments');
    const ahead = await template.bare.sha('v1.1.0^{commit}');
    const answers = await payments.bare.show('main', ANSWERS_PATH);
    await payments.commit({ [ANSWERS_PATH]: answers.replace(/^version: .*$/m, `version: ${ahead}`).replace(/^commit: .*$/m, `commit: ${ahead}`) }, 'follow the template\'s main');
    const tpl = templateRepo(template);
    const paymentsRepo = await serviceRepo('payments', payments);

    const api = mockGitHub();
    mockRelease(api, tpl, [paymentsRepo]);
    mockUpdateStart(api, paymentsRepo, { template: tpl });
    const app = await startApp();
    await app.receive('release', releasePayload('v1.0.0'));

    expect(sentRequests().filter((request) => request.method !== 'GET' && !request.path.includes('/access_tokens'))).toEqual([]);
    expect(await payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
  });

  it('does nothing for a release of a repository that is not a template', async () => {
    const api = mockGitHub();
    api.get(contentsPath('acme', 'payments', 'template.yml')).reply(404, { message: 'Not Found' });
    api.get(contentsPath('acme', 'payments', 'cookiecutter.json')).reply(404, { message: 'Not Found' });

    const app = await startApp();
    await app.receive('release', releasePayload('v2.0.0', { repo: { owner: 'acme', repo: 'payments' } }));
    // Only the template.yml and cookiecutter.json checks: useGitHub fails the test on any other call.
  });

  it('goes on with the other repositories when one has an unreadable answers file and another cannot be cloned (its issue says why)', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const payments = await createService(template, 'payments');
    const tpl = templateRepo(template);
    const paymentsRepo = await serviceRepo('payments', payments);
    // Unreadable and naming some other template: not this release's business.
    const orders = await serviceRepo('orders', undefined, 'template: [acme/other-template\n');
    const ledger = await serviceRepo('ledger', undefined, 'template: acme/service-template\nversion: v1.0.0\n');

    const api = mockGitHub();
    mockFanOut(api, { template: tpl, repositories: [ledger, orders, paymentsRepo, tpl], anyTarget: true });
    // ledger's update reads its answers and its repository, then its clone URL leads to no repository:
    // an answer that stays the same (not a host failing for now), so the repository gets the issue.
    mockAnswers(api, ledger);
    mockRepository(api, ledger);
    mockIssues(api, ledger);
    api.post('/repos/acme/ledger/issues').reply(201, (_uri, body) => issueJson(ledger, { number: 31, body: String((body as { body: string }).body) }));
    mockUpdateToNewPull(api, paymentsRepo, { template: tpl, number: 11 });

    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0'));

    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
    const issues = sentBodies('POST', '/repos/acme/ledger/issues');
    expect(issues.map((issue) => issue.title)).toEqual([ISSUE_TITLE]);
    expect(String(issues[0]?.body)).toMatch(/Cannot clone file:\/\/\/nonexistent\/acme\/ledger\.git: .*does not appear to be a git repository/);
  });

  it('files the "action required" issue once for a default branch the clone cannot find, and ends the job (nothing to retry)', async () => {
    // GitHub names a default branch the repository's git does not have (renamed in between): an answer that stays the same.
    const { app, issues, payments } = await releaseToBrokenService({ defaultBranch: 'trunk' });
    expect(issues.map((issue) => issue.title)).toEqual([ISSUE_TITLE]);
    expect(String(issues[0]?.body)).toContain("couldn't find remote ref refs/heads/trunk");
    // The job ended as a handled failure: no queued job failed, so no queue tries it again.
    expect(await app.runtime.queue.stats()).toMatchObject({ running: 0, waiting: 0, delayed: 0, failed: 0 });
    expect(await payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
  });

  it('files the "action required" issue in a repository whose unreadable answers file names the template', async () => {
    const { issues, payments } = await releaseToBrokenService({ answers: 'template: acme/service-template\nvariables: [oops\n' });
    const [issue, more] = issues;
    expect(more).toBeUndefined();
    expect(issue).toMatchObject({ title: ISSUE_TITLE });
    expect(String(issue?.body)).toContain('not valid YAML');
    expect(await payments.bare.sha(UPDATE_BRANCH)).toBeUndefined();
  });
});

/**
 * payments behind a v1.1.0 release, broken one way (its answers file committed as `answers`, or
 * a default branch GitHub names that its git lacks), and the release delivered: the issues its
 * update filed.
 */
async function releaseToBrokenService(broken: { answers?: string; defaultBranch?: string }) {
  const template = await createTemplate();
  await template.release('v1.1.0', DOCKERFILE_V11);
  const payments = await createService(template, 'payments');
  if (broken.answers) await payments.commit({ '.github/template-drift.yml': broken.answers }, 'break the answers');
  const tpl = templateRepo(template);
  const paymentsRepo = await serviceRepo('payments', payments);
  if (broken.defaultBranch) paymentsRepo.json.default_branch = broken.defaultBranch;

  const api = mockGitHub();
  mockFanOut(api, { template: tpl, repositories: [paymentsRepo, tpl], anyTarget: true });
  mockAnswers(api, paymentsRepo);
  mockRepository(api, paymentsRepo);
  mockIssues(api, paymentsRepo);
  api.post('/repos/acme/payments/issues').reply(201, (_uri, body) => issueJson(paymentsRepo, { number: 30, body: String((body as { body: string }).body) }));

  const app = await startApp();
  await app.receive('release', releasePayload('v1.1.0'));
  return { app, payments, issues: sentBodies('POST', '/repos/acme/payments/issues') };
}
