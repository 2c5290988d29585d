import type nock from 'nock';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { ENFORCED_MESSAGE } from '../../src/engine/enforced-files-check.js';
import { recordedPayload } from '../support/app-harness.js';
import { isRetryable } from '../../src/queue/retryable.js';
import { contentJson, contentsPath, repoJson } from '../support/github-nock.js';
import {
  ANSWERS_PATH, mockGitHub, mockRepository, sentBodies, sentRequests, startApp, takeJobErrors, templateRepo, UPDATE_BRANCH, useGitHub, type RepoRef,
} from '../support/github-mocks.js';
import { createService, createTemplate, TEMPLATE_V1, type ServiceFixture, type TemplateFixture } from '../support/service-fleet.js';

useGitHub();

const PAYMENTS: RepoRef = { owner: 'acme', repo: 'payments' };
const HEAD = 'c0ffee'.padEnd(40, '0');
const CHECK_RUNS = '/repos/acme/payments/check-runs';

/** The recorded pull_request payload, made into a PR on `payments` from `branch` at HEAD. */
function pullPayload(action: 'opened' | 'synchronize', options: { branch?: string; number?: number } = {}): Record<string, unknown> {
  const payload = recordedPayload('pull_request', action === 'opened' ? 'opened' : 'synchronize', PAYMENTS);
  const pull = payload.pull_request as { number: number; state: string; head: { ref: string; sha: string; repo: { full_name: string } } };
  pull.number = options.number ?? 7;
  pull.state = 'open';
  pull.head.ref = options.branch ?? 'tune-docker';
  pull.head.sha = HEAD;
  pull.head.repo.full_name = 'acme/payments';
  payload.number = pull.number;
  return payload;
}

function file(filename: string, status = 'modified', previous?: string) {
  return {
    sha: '1'.repeat(40), filename, status, additions: 1, deletions: 1, changes: 2, blob_url: '', raw_url: '', contents_url: '',
    ...(previous && { previous_filename: previous }),
  };
}

/** The answers file at the PR's head, and the template the app opens to read its rules. */
async function mockRules(api: nock.Scope, template: TemplateFixture, service: ServiceFixture, answers?: string): Promise<void> {
  const text = answers ?? await service.bare.show('main', ANSWERS_PATH);
  api.get(contentsPath('acme', 'payments', ANSWERS_PATH, HEAD)).reply(200, contentJson(ANSWERS_PATH, text));
  mockRepository(api, templateRepo(template));
}

function mockFiles(api: nock.Scope, pages: ReturnType<typeof file>[][]): void {
  pages.forEach((page, index) => {
    const next = index + 1 < pages.length
      ? { link: `<https://api.github.com/repos/acme/payments/pulls/7/files?per_page=100&page=${index + 2}>; rel="next"` } : undefined;
    api.get('/repos/acme/payments/pulls/7/files').query(index === 0 ? { per_page: '100' } : { per_page: '100', page: String(index + 1) })
      .reply(200, page, next);
  });
}

function mockCheckRun(api: nock.Scope, updates = 0): void {
  api.post(CHECK_RUNS).reply(201, { id: 55, name: 'Template drift' });
  if (updates > 0) api.patch(`${CHECK_RUNS}/55`).times(updates).reply(200, { id: 55 });
}

describe('the Template drift check on pull requests', () => {
  it('a PR that edits enforced files gets one neutral check run with one annotation per enforced file, and a summary', async () => {
    const template = await createTemplate();
    const service = await createService(template, 'payments');
    const api = mockGitHub();
    await mockRules(api, template, service);
    mockFiles(api, [[
      file('Dockerfile'), file('Makefile'), file('payments/app.py'),
      // Matches the enforced glob, but the template does not render it: no update replaces it.
      file('.circleci/extra.yml', 'added'),
      // Moved away: the update puts the enforced file back.
      file('ci/config.yml', 'renamed', '.circleci/config.yml'),
    ]]);
    mockCheckRun(api);

    const app = await startApp();
    await app.receive('pull_request', pullPayload('opened'));

    const [run, more] = sentBodies('POST', CHECK_RUNS);
    expect(more).toBeUndefined();
    expect(run).toMatchObject({ name: 'Template drift', head_sha: HEAD, status: 'completed', conclusion: 'neutral' });
    const output = run!.output as { title: string; summary: string; annotations: { path: string; message: string; annotation_level: string }[] };
    expect(output.annotations.map((a) => a.path)).toEqual(['Dockerfile', '.circleci/config.yml']);
    for (const annotation of output.annotations) {
      expect(annotation).toMatchObject({ message: ENFORCED_MESSAGE, annotation_level: 'warning', start_line: 1, end_line: 1 });
    }
    expect(ENFORCED_MESSAGE).toBe('managed by the template: the next update replaces this change — change the template, or add the path to `ignore`');
    expect(output.title).toBe('2 files managed by the template');
    expect(output.summary).toContain('` acme/service-template ` enforces');
    expect(output.summary).toContain('at v1.0.0');
    expect(output.summary).toContain('- ` Dockerfile `\n- ` .circleci/config.yml ` (removed)');
  });

  it('more than 50 enforced files: the first 50 annotations come with the run, the rest in updates of at most 50; the files list is read page by page', async () => {
    const many = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`policies/p${String(i).padStart(3, '0')}.yml`, `rule: ${i}\n`]));
    const template = await createTemplate({ ...TEMPLATE_V1, ...many, 'template.yml': `${TEMPLATE_V1['template.yml'] as string}`.replace('enforce: ["Dockerfile", ".circleci/**"]', 'enforce: ["policies/**"]') });
    const service = await createService(template, 'payments');
    const api = mockGitHub();
    await mockRules(api, template, service);
    const files = Object.keys(many).map((path) => file(path));
    mockFiles(api, [files.slice(0, 100), files.slice(100)]);
    mockCheckRun(api, 2);

    const app = await startApp();
    await app.receive('pull_request', pullPayload('synchronize'));

    const created = sentBodies('POST', CHECK_RUNS);
    const updated = sentBodies('PATCH', `${CHECK_RUNS}/55`);
    const batches = [...created, ...updated].map((body) => (body.output as { annotations: { path: string }[] }).annotations.map((a) => a.path));
    expect(batches.map((batch) => batch.length)).toEqual([50, 50, 20]);
    expect(batches.flat()).toEqual(Object.keys(many));
    for (const body of updated) expect(body.output).toMatchObject({ title: '120 files managed by the template' });
  });

  it('a PR that touches no enforced file gets no check run (only its files are read)', async () => {
    const template = await createTemplate();
    const service = await createService(template, 'payments');
    const api = mockGitHub();
    await mockRules(api, template, service);
    mockFiles(api, [[file('Makefile'), file('payments/app.py'), file('docs/notes.md', 'added')]]);

    const app = await startApp();
    await app.receive('pull_request', pullPayload('opened'));

    expect(sentRequests().filter((request) => request.path.includes('check-runs'))).toEqual([]);
  });

  it('a path the repository ignores is not annotated, even when the template enforces it', async () => {
    const template = await createTemplate();
    const service = await createService(template, 'payments');
    const answers = `${await service.bare.show('main', ANSWERS_PATH)}ignore: ["Dockerfile"]\n`;
    const api = mockGitHub();
    await mockRules(api, template, service, answers);
    mockFiles(api, [[file('Dockerfile'), file('.circleci/config.yml')]]);
    mockCheckRun(api);

    const app = await startApp();
    await app.receive('pull_request', pullPayload('opened'));

    const [run] = sentBodies('POST', CHECK_RUNS);
    expect((run!.output as { annotations: { path: string }[] }).annotations.map((a) => a.path)).toEqual(['.circleci/config.yml']);
  });

  it('the app\'s own update PR is not checked: no call at all', async () => {
    const app = await startApp();
    await app.receive('pull_request', pullPayload('opened', { branch: UPDATE_BRANCH }));
    await app.receive('pull_request', pullPayload('synchronize', { branch: 'template-drift/onboarding' }));
    expect(sentRequests()).toEqual([]);
  });

  it('a repository without an answers file at the PR\'s head costs two reads (the native file, then cruft\'s)', async () => {
    const api = mockGitHub();
    api.get(contentsPath('acme', 'payments', ANSWERS_PATH, HEAD)).reply(404, { message: 'Not Found' });
    api.get(contentsPath('acme', 'payments', '.cruft.json', HEAD)).reply(404, { message: 'Not Found' });

    const app = await startApp();
    await app.receive('pull_request', pullPayload('opened'));

    expect(sentRequests().filter((request) => !request.path.includes('access_tokens')).map((r) => `${r.method} ${r.path}`))
      .toEqual([`GET /repos/acme/payments/contents/.github%2Ftemplate-drift.yml?ref=${HEAD}`, `GET /repos/acme/payments/contents/.cruft.json?ref=${HEAD}`]);
  });

  it('a repository that cruft manages (.cruft.json at the PR\'s head) is checked by the same rules, and told to use `skip` in .cruft.json', async () => {
    const template = await createTemplate();
    const service = await createService(template, 'payments');
    const answers = parseAnswers(await service.bare.show('main', ANSWERS_PATH));
    const url = 'https://github.com/acme/service-template';
    const cruft = JSON.stringify({ template: url, commit: answers.commit, checkout: null, context: { cookiecutter: { ...answers.variables, _template: url } } }, null, 2);
    const api = mockGitHub();
    api.get(contentsPath('acme', 'payments', ANSWERS_PATH, HEAD)).reply(404, { message: 'Not Found' });
    api.get(contentsPath('acme', 'payments', '.cruft.json', HEAD)).reply(200, contentJson('.cruft.json', `${cruft}\n`));
    mockRepository(api, templateRepo(template));
    mockFiles(api, [[file('Dockerfile'), file('.cruft.json')]]);
    mockCheckRun(api);

    const app = await startApp();
    await app.receive('pull_request', pullPayload('opened'));

    const [run] = sentBodies('POST', CHECK_RUNS);
    const output = run!.output as { summary: string; annotations: { path: string }[] };
    expect(output.annotations.map((a) => a.path)).toEqual(['Dockerfile']);
    expect(output.summary).toContain('add the path to `skip` in `.cruft.json`');
  });

  it('a template host that refuses the connection fails the check\'s job, to be tried again, rather than skipping the check', async () => {
    const previous = process.env.no_proxy;
    process.env.no_proxy = '127.0.0.1';
    onTestFinished(() => {
      process.env.no_proxy = previous;
    });
    const template = await createTemplate();
    const service = await createService(template, 'payments');
    const api = mockGitHub();
    api.get(contentsPath('acme', 'payments', ANSWERS_PATH, HEAD)).reply(200, contentJson(ANSWERS_PATH, await service.bare.show('main', ANSWERS_PATH)));
    // GitHub names the template's clone URL; its host is down for now.
    mockRepository(api, { ...templateRepo(template), json: repoJson('acme', 'service-template', 'http://127.0.0.1:1/acme/service-template.git') });

    const app = await startApp();
    await app.receive('pull_request', pullPayload('opened'));

    const [error, more] = takeJobErrors();
    expect(more).toBeUndefined();
    expect(isRetryable(error)).toBe(true);
    expect(String(error)).toContain('Cannot read template http://127.0.0.1:1/acme/service-template.git');
    expect(sentBodies('POST', CHECK_RUNS)).toEqual([]);
  });

  it('a create GitHub answered with a 502 is looked for before it is sent again: one check run', async () => {
    const template = await createTemplate();
    const service = await createService(template, 'payments');
    const api = mockGitHub();
    await mockRules(api, template, service);
    mockFiles(api, [[file('Dockerfile')]]);
    api.post(CHECK_RUNS).reply(502, { message: 'Server Error' });
    api.get(`/repos/acme/payments/commits/${HEAD}/check-runs`).query({ check_name: 'Template drift', filter: 'latest', per_page: '1' })
      .reply(200, { total_count: 1, check_runs: [{ id: 56, name: 'Template drift' }] });

    const app = await startApp();
    await app.receive('pull_request', pullPayload('opened'));

    expect(sentBodies('POST', CHECK_RUNS)).toHaveLength(1);
  });
});
