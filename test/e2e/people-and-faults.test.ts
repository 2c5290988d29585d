import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { OWNER } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1, TEMPLATE_V1_2 } from '../support/e2e/service-template.js';
import { git } from '../support/temp-repo.js';

const exec = promisify(execFile);
const UPDATE_BRANCH = 'template-drift/update';

const world = useWorld();

describe('people and the update PR, end to end', () => {
  it('/sync-template by a writer opens the PR; by a read-only user it is refused', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-d', TEMPLATE_V1);
    await w.createService('d-svc', 'tpl-d', { ref: 'v1.0.0', vars: { service_name: 'dsvc' } });
    await github.commit(OWNER, 'tpl-d', 'main', TEMPLATE_V1_1);
    await github.tag(OWNER, 'tpl-d', 'v1.1.0');
    const issue = github.openIssue(OWNER, 'd-svc', { title: 'Please bring CI up to date' });
    github.setPermission(OWNER, 'd-svc', 'reader', 'read');
    github.setPermission(OWNER, 'd-svc', 'maintainer', 'maintain');

    await github.comment(OWNER, 'd-svc', issue, 'reader', '/sync-template');
    await w.settle();
    expect(await github.pulls(OWNER, 'd-svc')).toEqual([]);
    const refusal = github.comments(OWNER, 'd-svc', issue).filter((c) => c.user === github.botLogin);
    expect(refusal).toHaveLength(1);
    expect(refusal[0]!.body).toContain('needs write access');

    const { commentId } = await github.comment(OWNER, 'd-svc', issue, 'maintainer', '/sync-template v1.1.0');
    await w.settle();
    const pulls = await github.pulls(OWNER, 'd-svc');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ state: 'open', title: 'Update tpl-d to v1.1.0' });
    const asked = github.comments(OWNER, 'd-svc', issue).find((c) => c.id === commentId);
    expect(asked?.reactions).toContainEqual({ user: github.botLogin, content: 'eyes' });
    const answer = github.comments(OWNER, 'd-svc', issue).filter((c) => c.user === github.botLogin).at(-1);
    expect(answer?.body).toContain(`/pull/${pulls[0]!.number}`);

    // Asked again after a newer tag: the same PR is refreshed in place.
    await github.commit(OWNER, 'tpl-d', 'main', TEMPLATE_V1_2);
    await github.tag(OWNER, 'tpl-d', 'v1.2.0');
    await github.comment(OWNER, 'd-svc', pulls[0]!.number, 'maintainer', '/sync-template');
    await w.settle();
    const refreshed = await github.pulls(OWNER, 'd-svc');
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]).toMatchObject({ number: pulls[0]!.number, title: 'Update tpl-d to v1.2.0' });
    expect(await github.readFile(OWNER, 'd-svc', UPDATE_BRANCH, 'Dockerfile')).toContain('python:3.13-slim');
  });

  it('merging the PR records the version, deletes the branch, and check on a clone exits 0', async () => {
    const w = world();
    const { github } = w;
    const pull = await w.serviceWithUpdatePull('tpl-e', 'e-svc', { v1: TEMPLATE_V1, v1_1: TEMPLATE_V1_1 });

    await github.mergePull(OWNER, 'e-svc', pull.number);
    await w.settle();

    expect((await github.branches(OWNER, 'e-svc')).has(UPDATE_BRANCH)).toBe(false);
    const answers = parseAnswers((await github.readFile(OWNER, 'e-svc', 'main', '.github/template-drift.yml'))!);
    expect(answers.version).toBe('v1.1.0');
    const clone = join(await mkdtemp(join(w.scratch, 'clone-')), 'e-svc');
    await git(w.scratch, 'clone', '--quiet', '--', github.cloneUrl(OWNER, 'e-svc'), clone);
    const check = await exec(process.execPath, ['dist/cli/main.js', 'check', clone], {
      env: { ...process.env, GITHUB_SERVER_URL: github.url, TEMPLATE_DRIFT_CACHE_DIR: join(w.scratch, 'check-cache') },
    });
    expect(check.stdout).toContain('In line with service-template v1.1.0');
    expect(await github.pulls(OWNER, 'e-svc')).toEqual([expect.objectContaining({ state: 'closed', merged: true }) as unknown]);
  });

  it('a push that renames the service in the answers file gets an update PR that carries the rename, read from the answers file\'s history', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-r', TEMPLATE_V1);
    await w.createService('r-svc', 'tpl-r', { ref: 'v1.0.0', vars: { service_name: 'hsvc' } });
    const answers = (await github.readFile(OWNER, 'r-svc', 'main', '.github/template-drift.yml'))!;
    await github.commit(OWNER, 'r-svc', 'main', { '.github/template-drift.yml': answers.replace('service_name: hsvc', 'service_name: hbilling') },
      { message: 'Rename the service', deliver: true });
    await w.settle();

    expect(await github.pulls(OWNER, 'r-svc')).toMatchObject([{ state: 'open', title: 'Update tpl-r to v1.0.0' }]);
    expect(await github.readFile(OWNER, 'r-svc', UPDATE_BRANCH, 'hbilling/wsgi.py')).toBe('"""WSGI entry point of hbilling."""\napplication = None\n');
    expect(await github.readFile(OWNER, 'r-svc', UPDATE_BRANCH, 'hsvc/wsgi.py')).toBeUndefined();
    expect(await github.readFile(OWNER, 'r-svc', UPDATE_BRANCH, 'Dockerfile')).toContain('CMD ["gunicorn", "hbilling.wsgi"]');
  });

  it('leaves the branch alone, and says so once, after a person pushes to it', async () => {
    const w = world();
    const { github } = w;
    const pull = await w.serviceWithUpdatePull('tpl-f', 'f-svc', { v1: TEMPLATE_V1, v1_1: TEMPLATE_V1_1 });
    const human = await github.commit(OWNER, 'f-svc', UPDATE_BRANCH, { 'NOTES.md': 'Tried this locally, works.\n' },
      { message: 'Note from a person', author: { name: 'Octo Person', email: 'octo@example.com', login: 'octo-person' }, deliver: true });
    await w.settle();

    await w.releaseTemplate('tpl-f', 'v1.2.0', TEMPLATE_V1_2, 'two');
    await w.settle();
    github.setPermission(OWNER, 'f-svc', 'maintainer', 'write');
    await github.comment(OWNER, 'f-svc', pull.number, 'maintainer', '/sync-template');
    await w.settle();

    expect((await github.branches(OWNER, 'f-svc')).get(UPDATE_BRANCH)).toBe(human);
    const notices = github.comments(OWNER, 'f-svc', pull.number).filter((c) => c.user === github.botLogin && c.body.includes('will not rewrite this branch'));
    expect(notices).toHaveLength(1);
    expect(await github.pulls(OWNER, 'f-svc')).toHaveLength(1);
  });

  it('keeps a person\'s commit on the branch when main catches up: the PR is closed, the branch stays, said once', async () => {
    const w = world();
    const { github } = w;
    const pull = await w.serviceWithUpdatePull('tpl-j', 'j-svc', { v1: TEMPLATE_V1, v1_1: TEMPLATE_V1_1 });
    const human = await github.commit(OWNER, 'j-svc', UPDATE_BRANCH, { 'NOTES.md': 'Tried this locally, works.\n' },
      { message: 'Note from a person', author: { name: 'Octo Person', email: 'octo@example.com', login: 'octo-person' }, deliver: true });
    await w.settle();
    // Someone applies the same update to main by hand (the app's files and answers, copied).
    const applied: Record<string, string> = {};
    for (const path of ['logging.yml', '.circleci/config.yml', 'Makefile', '.github/template-drift.yml']) {
      applied[path] = (await github.readFile(OWNER, 'j-svc', pull.headSha, path))!;
    }
    await github.commit(OWNER, 'j-svc', 'main', applied, { message: 'Apply v1.1.0 by hand', deliver: true });
    await w.settle();

    expect((await github.branches(OWNER, 'j-svc')).get(UPDATE_BRANCH)).toBe(human);
    expect(await github.pull(OWNER, 'j-svc', pull.number)).toMatchObject({ state: 'closed', merged: false });
    const notices = github.comments(OWNER, 'j-svc', pull.number).filter((c) => c.user === github.botLogin);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.body).toContain('already in line with v1.1.0');
    expect(notices[0]!.body).toContain('so the app leaves the branch as it is');
  });

  it('waits out a 502 and a secondary rate limit, with no duplicate PR', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-g', TEMPLATE_V1);
    await w.createService('g-svc', 'tpl-g', { ref: 'v1.0.0', vars: { service_name: 'gsvc' } });
    github.failNext('POST', '/repos/acme/g-svc/pulls', { status: 502 });
    github.failNext('GET', '/repos/acme/g-svc/pulls', { status: 403, retryAfter: 1, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' });
    await w.releaseTemplate('tpl-g', 'v1.1.0', TEMPLATE_V1_1, 'flaky day');
    await w.settle();

    const pulls = await github.pulls(OWNER, 'g-svc');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ state: 'open', title: 'Update tpl-g to v1.1.0' });
    // One 502, the look for the branch's PR (none), then the created PR; one 403 waited out,
    // then the open and closed look-ups, and that look after the 502.
    expect(github.requestCount('POST', '/repos/acme/g-svc/pulls')).toBe(2);
    expect(github.requestCount('GET', '/repos/acme/g-svc/pulls')).toBe(4);
  });

  it('an issue GitHub created but answered with a 502 is found, not created again', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-h', TEMPLATE_V1);
    await w.createService('h-svc', 'tpl-h', { ref: 'v1.0.0', vars: { service_name: 'hsvc' } });
    const answers = (await github.readFile(OWNER, 'h-svc', 'main', '.github/template-drift.yml'))!;
    await github.commit(OWNER, 'h-svc', 'main', { '.github/template-drift.yml': answers.replace('service_name: hsvc', 'service_name: Not Valid') });
    github.failNext('POST', '/repos/acme/h-svc/issues', { status: 502, afterWrite: true });
    await w.releaseTemplate('tpl-h', 'v1.1.0', TEMPLATE_V1_1, 'bad answers day');
    await w.settle();

    const issues = github.issues(OWNER, 'h-svc');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ title: 'Template drift: action required', state: 'open' });
    expect(github.requestCount('POST', '/repos/acme/h-svc/issues')).toBe(1);
    expect(await github.pulls(OWNER, 'h-svc')).toEqual([]);
  });

  it('a PR GitHub created but answered with a 502 is found by its branch, not created again', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-k', TEMPLATE_V1);
    await w.createService('k-svc', 'tpl-k', { ref: 'v1.0.0', vars: { service_name: 'ksvc' } });
    github.failNext('POST', '/repos/acme/k-svc/pulls', { status: 502, afterWrite: true });
    await w.releaseTemplate('tpl-k', 'v1.1.0', TEMPLATE_V1_1, 'a flaky create');
    await w.settle();

    const pulls = await github.pulls(OWNER, 'k-svc');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ state: 'open', title: 'Update tpl-k to v1.1.0', labels: ['template-drift'] });
    expect(github.requestCount('POST', '/repos/acme/k-svc/pulls')).toBe(1);
  });

  it('a comment GitHub posted but answered with a 502 is found by its marker, not posted again', async () => {
    const w = world();
    const { github } = w;
    await github.createRepo(OWNER, 'i-svc', { files: { 'README.md': 'no template here\n' } });
    const issue = github.openIssue(OWNER, 'i-svc', { title: 'Sync please' });
    github.setPermission(OWNER, 'i-svc', 'reader', 'read');
    github.failNext('POST', `/repos/acme/i-svc/issues/${issue}/comments`, { status: 502, afterWrite: true });

    await github.comment(OWNER, 'i-svc', issue, 'reader', '/sync-template');
    await w.settle();

    const replies = github.comments(OWNER, 'i-svc', issue).filter((c) => c.user === github.botLogin);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain('needs write access');
    expect(github.requestCount('POST', `/repos/acme/i-svc/issues/${issue}/comments`)).toBe(1);
  });
});
