import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { isAsApplied, parseAnswers } from '../../src/engine/answers-file.js';
import { ServiceClone } from '../../src/git/service-clone.js';
import { INSTALLATION_ID } from '../support/app-harness.js';
import {
  commentsSent, mockBranchHead, ANSWERS_PATH, mockComment, mockGitHub, mockIssues, mockPulls, mockReleaseNotes, mockUpdatePull, mockUpdateStart, mockUpdateToNewPull, openPullFrom,
  mockRelease, pushPayload, releasePayload, sentBodies, sentRequests, serviceRepo, startApp, templateRepo, UPDATE_BRANCH, useGitHub, mockNoAnswers, mockAnswersAtPullHead,
} from '../support/github-mocks.js';
import { createService, createTemplate, type BareRepo } from '../support/service-fleet.js';
import { git, tempDir } from '../support/temp-repo.js';
import { DOCKERFILE_V11, fleetWithPull } from '../support/update-pull-fixture.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
const MAKEFILE_V12 = { 'Makefile': 'test:\n\tpytest --cov\n\nlint:\n\truff check .\n' };

/** The ref updates the bare repository accepts from now on, as git's post-receive hook reads them: `old new ref`. */
async function watchRefUpdates(bare: BareRepo): Promise<() => Promise<string[]>> {
  const log = join(await tempDir('td-ref-updates-'), 'updates.log');
  await writeFile(log, '');
  const hook = join(bare.dir, 'hooks', 'post-receive');
  await writeFile(hook, `#!/bin/sh\ncat >> '${log}'\n`);
  await chmod(hook, 0o755);
  return async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

/** The app's requests other than installation tokens, as `METHOD path` without the query. */
function apiCalls(): string[] {
  return sentRequests()
    .filter((request) => request.path !== `/app/installations/${INSTALLATION_ID}/access_tokens`)
    .map((request) => `${request.method} ${request.path.split('?')[0]}`);
}

describe('a push to the default branch', () => {
  it('while an update PR is open: the branch is rewritten on top of the new head, the PR\'s marker records the new commit, never a second PR', async () => {
    const f = await fleetWithPull(7);
    const before = await f.payments.bare.sha(UPDATE_BRANCH);
    await f.payments.commit({ 'README.md': '# payments\n' }, 'document the service');
    const main = await f.payments.bare.sha('main');
    const refUpdates = await watchRefUpdates(f.payments.bare);
    const push = vi.spyOn(ServiceClone.prototype, 'push');
    onTestFinished(() => push.mockRestore());

    const api = mockGitHub();
    const open = openPullFrom(PAYMENTS, 7, f.created);
    mockPulls(api, PAYMENTS, 'open', [open]);
    mockUpdateStart(api, f.repo, { template: f.tpl, openPull: open });
    mockPulls(api, PAYMENTS, 'closed');
    mockReleaseNotes(api);
    mockUpdatePull(api, open);
    mockIssues(api, PAYMENTS);
    await f.app.receive('push', pushPayload(PAYMENTS, ['README.md']));

    const after = await f.payments.bare.sha(UPDATE_BRANCH);
    expect(await f.payments.bare.sha(`${UPDATE_BRANCH}^`)).toBe(main);
    expect(await f.payments.bare.log(UPDATE_BRANCH)).toMatch(/^template-drift\[bot\] <[^>]+>\|chore\(template\): update service-template to v1\.1\.0\n[^|]+\|document the service\n/);
    expect(await f.payments.bare.show(UPDATE_BRANCH, 'README.md')).toBe('# payments\n');
    expect(await f.payments.bare.show(UPDATE_BRANCH, 'Dockerfile')).toBe('FROM python:3.13-slim\nENV LOG_LEVEL=INFO\n');
    // One push that replaced the app's own commit, leased on it (--force-with-lease=<that commit>).
    expect(await refUpdates()).toEqual([`${before} ${after} refs/heads/${UPDATE_BRANCH}`]);
    expect(push).toHaveBeenCalledExactlyOnceWith(after, UPDATE_BRANCH, before);
    const [patch] = sentBodies('PATCH', '/repos/acme/payments/pulls/7');
    expect(patch?.body).toBe(String(f.created.body).replace(`"head":"${before}"`, `"head":"${after}"`));
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
  });

  it.each([
    ['modifies', (changed: string[]) => pushPayload(PAYMENTS, changed)],
    ['adds', (changed: string[]) => pushPayload(PAYMENTS, [], { added: changed })],
  ])('that %s the answers file, with no update PR open and the repository behind: a PR to the latest release', async (_how, payload) => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    await template.release('v1.2.0', MAKEFILE_V12);
    const payments = await createService(template, 'payments');
    const answers = await payments.bare.show('main', ANSWERS_PATH);
    expect(answers).toMatch(/^ {2}log_level: INFO$/m);
    await payments.commit({ [ANSWERS_PATH]: answers.replace('log_level: INFO', 'log_level: DEBUG') }, 'more logs');

    const api = mockGitHub();
    const repo = await serviceRepo('payments', payments);
    mockPulls(api, PAYMENTS, 'open');
    // A changed answer is the person's own request: no look-up of declined versions.
    mockUpdateToNewPull(api, repo, { template: templateRepo(template), number: 3, releaseTags: ['v1.0.0', 'v1.1.0', 'v1.2.0'], checksDeclined: false });

    const app = await startApp();
    await app.receive('push', payload([ANSWERS_PATH]));

    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toMatchObject([{ title: 'Update service-template to v1.2.0', draft: false }]);
    expect(await payments.bare.sha(`${UPDATE_BRANCH}^`)).toBe(await payments.bare.sha('main'));
    expect(await payments.bare.show(UPDATE_BRANCH, 'Dockerfile')).toBe('FROM python:3.13-slim\nENV LOG_LEVEL=DEBUG\n');
    expect(await payments.bare.show(UPDATE_BRANCH, 'Makefile')).toBe(MAKEFILE_V12.Makefile);
    expect(await payments.bare.show(UPDATE_BRANCH, ANSWERS_PATH)).toMatch(/^version: v1\.2\.0$/m);
  });

  it('that changes `variables:` at the latest version: an update PR that carries the change, built on the answers recorded before it', async () => {
    const template = await createTemplate();
    const payments = await createService(template, 'payments');
    const answers = await payments.bare.show('main', ANSWERS_PATH);
    await payments.commit({ [ANSWERS_PATH]: answers.replace('service_name: payments', 'service_name: billing') }, 'rename the service');
    const main = await payments.bare.sha('main');
    const repo = await serviceRepo('payments', payments);
    expect(repo.history).toHaveLength(2);

    const api = mockGitHub();
    mockPulls(api, PAYMENTS, 'open');
    mockUpdateToNewPull(api, repo, { template: templateRepo(template), number: 4, releaseTags: ['v1.0.0'], checksDeclined: false });
    const app = await startApp();
    await app.receive('push', pushPayload(PAYMENTS, [ANSWERS_PATH]));

    // The history read: one page of commits from the clone's head, and the one earlier version.
    expect(apiCalls().filter((call) => /commits|contents/.test(call))).toEqual([
      `GET /repos/acme/payments/contents/${encodeURIComponent(ANSWERS_PATH)}`,
      'GET /repos/acme/payments/commits',
      `GET /repos/acme/payments/contents/${encodeURIComponent(ANSWERS_PATH)}`,
    ]);
    expect(sentRequests().find((request) => request.path.startsWith('/repos/acme/payments/commits?'))?.path).toContain(`sha=${main}`);
    const [created] = sentBodies('POST', '/repos/acme/payments/pulls');
    expect(created).toMatchObject({ title: 'Update service-template to v1.0.0', draft: false });
    expect(String(created?.body)).toContain('It also applies the answers changed in `.github/template-drift.yml` since `v1.0.0` was applied: `service_name`.');
    expect(await payments.bare.sha(`${UPDATE_BRANCH}^`)).toBe(main);
    expect(await payments.bare.show(UPDATE_BRANCH, 'billing/app.py')).toBe('NAME = "billing"\n');
    expect(await git(payments.bare.dir, 'ls-tree', '-r', '--name-only', UPDATE_BRANCH)).toBe(
      ['.circleci/config.yml', ANSWERS_PATH, 'Dockerfile', 'Makefile', 'billing/app.py', ''].join('\n'));
    expect(await git(payments.bare.dir, 'diff', '--name-status', 'main', UPDATE_BRANCH)).toBe(`M\t${ANSWERS_PATH}\nA\tbilling/app.py\nD\tpayments/app.py\n`);
    // The answers file records what the PR applies, so the next release's base is rendered with billing.
    const applied = parseAnswers(await payments.bare.show(UPDATE_BRANCH, ANSWERS_PATH));
    expect(isAsApplied(applied)).toBe(true);
    expect(applied.variables).toMatchObject({ service_name: 'billing' });
  });

  it('that records a version past the open update PR\'s (updated by hand): the PR is closed, never a downgrade', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const payments = await createService(template, 'payments');
    const tpl = templateRepo(template);
    const api = mockGitHub();
    mockRelease(api, tpl, [await serviceRepo('payments', payments)]);
    mockUpdateToNewPull(api, await serviceRepo('payments', payments), { template: tpl, number: 7 });
    const app = await startApp();
    await app.receive('release', releasePayload('v1.1.0'));
    const [created] = sentBodies('POST', '/repos/acme/payments/pulls');

    await template.release('v1.2.0', MAKEFILE_V12);
    const v12 = await template.bare.sha('v1.2.0^{commit}');
    const answers = await payments.bare.show('main', ANSWERS_PATH);
    await payments.commit({ [ANSWERS_PATH]: answers.replace(/^version: .*$/m, 'version: v1.2.0').replace(/^commit: .*$/m, `commit: ${v12}`) }, 'update to v1.2.0 with the CLI');
    const open = openPullFrom(PAYMENTS, 7, created!);
    const again = mockGitHub();
    mockPulls(again, PAYMENTS, 'open', [open]);
    mockUpdateStart(again, await serviceRepo('payments', payments), { template: tpl, openPull: open });
    mockBranchHead(again, PAYMENTS, payments.bare);
    mockComment(again, PAYMENTS, 7);
    mockUpdatePull(again, open);
    again.delete('/repos/acme/payments/git/refs/heads%2Ftemplate-drift%2Fupdate').reply(204);
    await app.receive('push', pushPayload(PAYMENTS, [ANSWERS_PATH]));

    expect(commentsSent(PAYMENTS, 7)[0]).toContain('This repository already records v1.2.0, past v1.1.0; closing.');
    expect(sentBodies('PATCH', '/repos/acme/payments/pulls/7')).toEqual([{ state: 'closed' }]);
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
  });

  it('that removes the answers file while an update PR is open: the PR is closed with a comment and its branch deleted', async () => {
    const f = await fleetWithPull(7);
    await f.payments.commit({ [ANSWERS_PATH]: null }, 'stop following the template');

    const api = mockGitHub();
    const open = openPullFrom(PAYMENTS, 7, f.created);
    mockPulls(api, PAYMENTS, 'open', [open]);
    mockNoAnswers(api, PAYMENTS);
    mockPulls(api, PAYMENTS, 'open', [open]);
    // Which answers file was removed: the one the PR updates, read at its head.
    mockAnswersAtPullHead(api, PAYMENTS, await f.payments.bare.show(UPDATE_BRANCH, ANSWERS_PATH));
    mockBranchHead(api, PAYMENTS, f.payments.bare);
    mockComment(api, PAYMENTS, 7);
    mockUpdatePull(api, open);
    api.delete('/repos/acme/payments/git/refs/heads%2Ftemplate-drift%2Fupdate').reply(204);
    await f.app.receive('push', pushPayload(PAYMENTS, []));

    expect(sentBodies('PATCH', '/repos/acme/payments/pulls/7')).toEqual([{ state: 'closed' }]);
    expect(commentsSent(PAYMENTS, 7)[0]).toContain('`.github/template-drift.yml` was removed from the default branch, so this repository no longer follows its template');
    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toHaveLength(1);
  });

  it('that does not touch the answers file, with no update PR open: the one pulls look-up and nothing else', async () => {
    const api = mockGitHub();
    mockPulls(api, PAYMENTS, 'open');

    const app = await startApp();
    await app.receive('push', pushPayload(PAYMENTS, ['README.md', 'payments/app.py']));

    // No repository read, so no clone URL and no clone.
    expect(apiCalls()).toEqual(['GET /repos/acme/payments/pulls']);
  });
});

describe('a push elsewhere', () => {
  it.each([
    ['to another branch, even one changing the answers file', pushPayload(PAYMENTS, [ANSWERS_PATH], { ref: 'refs/heads/feature/login' })],
    ['of a tag', pushPayload(PAYMENTS, [ANSWERS_PATH], { ref: 'refs/tags/v2.0.0' })],
    ['deleting the default branch', { ...pushPayload(PAYMENTS, []), deleted: true }],
  ])('%s: no GitHub call at all', async (_what, payload) => {
    const app = await startApp();
    await app.receive('push', payload);
    expect(sentRequests()).toEqual([]);
  });
});
