import type nock from 'nock';
import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { formatOnboardingMarker } from '../../src/engine/onboarding-text.js';
import { recordedPayload } from '../support/app-harness.js';
import { contentJson, contentsPath, pullJson, repoJson } from '../support/github-nock.js';
import {
  ANSWERS_PATH, commentId, commentPayload, commentsSent, mockAddLabels, mockComment, mockGitHub, mockPermission, mockReaction, mockRepository,
  sentBodies, sentRequests, startApp, TEMPLATE, templateRepo, useGitHub, type RepoRef, mockNoAnswers,
} from '../support/github-mocks.js';
import { BareRepo, createTemplate, TEMPLATE_MANIFEST, TEMPLATE_V1, type TemplateFixture } from '../support/service-fleet.js';
import { git, TestRepo } from '../support/temp-repo.js';

useGitHub();

const BILLING: RepoRef = { owner: 'acme', repo: 'billing-api' };
const ONBOARDING = 'template-drift/onboarding';
const TOKENS = /access_tokens$/;

/** A repository as "Use this template" makes it: one commit holding the template's files as they are. */
async function copiedRepository(): Promise<BareRepo> {
  const work = await TestRepo.create(TEMPLATE_V1, 'td-copy-');
  return BareRepo.from(work.dir);
}

function repositoryJson(bare: BareRepo | undefined, template: RepoRef | null) {
  return {
    ...repoJson(BILLING.owner, BILLING.repo, bare?.url ?? 'file:///nonexistent/billing-api.git'), created_at: '2999-01-01T00:00:00Z',
    template_repository: template && { ...repoJson(template.owner, template.repo, 'unused'), is_template: true },
  };
}

function mockOnboardingPulls(scope: nock.Scope, pulls: { open?: Record<string, unknown>[]; closed?: Record<string, unknown>[] } = {}): void {
  for (const state of ['open', 'closed'] as const) {
    scope.get(`/repos/${BILLING.owner}/${BILLING.repo}/pulls`).query({ state, head: `${BILLING.owner}:${ONBOARDING}`, per_page: '100' }).reply(200, pulls[state] ?? []);
  }
}

/** Everything up to the decision to onboard: the repository, no answers file, no onboarding PR, a template.yml in the template. */
function mockLookups(api: nock.Scope, bare: BareRepo | undefined, pulls: Parameters<typeof mockOnboardingPulls>[1] = {}, manifest = true): void {
  api.get(`/repos/${BILLING.owner}/${BILLING.repo}`).reply(200, repositoryJson(bare, TEMPLATE));
  mockNoAnswers(api, BILLING);
  mockOnboardingPulls(api, pulls);
  const read = api.get(contentsPath(TEMPLATE.owner, TEMPLATE.repo, 'template.yml'));
  if (manifest) read.reply(200, contentJson('template.yml', TEMPLATE_MANIFEST));
  else read.reply(404, { message: 'Not Found' });
}

function mockCreate(api: nock.Scope, template: TemplateFixture): void {
  mockRepository(api, templateRepo(template));
  api.post(`/repos/${BILLING.owner}/${BILLING.repo}/pulls`).reply(201, (_uri, body) => ({ ...pullJson({ number: 3, ...BILLING, ...(body as object) }), head: { ref: ONBOARDING, sha: 'a'.repeat(40), repo: { full_name: 'acme/billing-api' } } }));
  mockAddLabels(api, BILLING, 3, ['template-drift']);
}

/** A template with a required variable nothing can infer (`team`), and a repository copied from it. */
async function questionFixture(extra: Record<string, string> = {}): Promise<{ template: TemplateFixture; bare: BareRepo; work: TestRepo }> {
  const manifest = TEMPLATE_MANIFEST.replace('variables:\n', 'variables:\n  team: { description: "the owning team" }\n');
  const tree = { ...TEMPLATE_V1, 'template.yml': manifest, ...extra };
  const template = await createTemplate(tree);
  const work = await TestRepo.create(tree, 'td-copy-');
  return { template, bare: await BareRepo.from(work.dir), work };
}

/** repository.created for a copy the app onboards: its lookups and PR mocked; resolves with the created PR's body sent. */
async function onboardCreated(template: TemplateFixture, bare: BareRepo) {
  const api = mockGitHub();
  mockLookups(api, bare);
  mockCreate(api, template);
  const app = await startApp();
  await app.receive('repository', createdPayload());
  const [created, more] = sentBodies('POST', '/repos/acme/billing-api/pulls');
  return { api, app, created, more };
}

function createdPayload(): Record<string, unknown> {
  return recordedPayload('repository', 'created', BILLING);
}

describe('onboarding a repository made with "Use this template"', () => {
  it('repository.created from a template with template.yml: one PR on template-drift/onboarding renders the template in place, with the answers inferred', async () => {
    const template = await createTemplate();
    const bare = await copiedRepository();
    const { created, more } = await onboardCreated(template, bare);
    expect(more).toBeUndefined();
    expect(created).toMatchObject({ head: ONBOARDING, base: 'main', draft: false, title: 'Set up template-drift: follow service-template from v1.0.0' });
    const body = String(created?.body);
    expect(body).toContain("| `service_name` | ` billing_api ` | the repository's name |");
    expect(body).toContain("| `log_level` | ` INFO ` | the template's default |");
    expect(body).toContain('its tree matches');
    expect(body).toContain('Closing it unmerged opts this repository out for good');
    expect(body).toMatch(/<!-- template-drift-onboarding \{"template":"acme\/service-template","version":"v1.0.0","head":"[0-9a-f]{40}"\} -->/);

    expect(await bare.show(ONBOARDING, 'Dockerfile')).toBe('FROM python:3.12-slim\nENV LOG_LEVEL=INFO\n');
    expect(await bare.show(ONBOARDING, 'billing_api/app.py')).toBe('NAME = "billing_api"\n');
    for (const raw of ['template.yml', 'Dockerfile.hbs', '{{service_name}}/app.py.hbs']) await expect(bare.show(ONBOARDING, raw)).rejects.toThrow();
    const answers = parseAnswers(await bare.show(ONBOARDING, ANSWERS_PATH));
    expect(answers).toMatchObject({ template: 'acme/service-template', version: 'v1.0.0', variables: { service_name: 'billing_api', log_level: 'INFO' } });
    expect(answers.commit).toBe(await template.bare.sha('v1.0.0^{commit}'));
    expect(await bare.log(ONBOARDING)).toMatch(/^template-drift\[bot\] <template-drift\[bot\]@users\.noreply\.github\.com>\|chore\(template\): render service-template v1\.0\.0 in place\n/);
  });

  it('a repository GitHub records no template for costs one read', async () => {
    const api = mockGitHub();
    api.get('/repos/acme/billing-api').reply(200, repositoryJson(undefined, null));

    const app = await startApp();
    await app.receive('repository', createdPayload());

    expect(sentRequests().filter((request) => !TOKENS.test(request.path)).map((request) => `${request.method} ${request.path}`)).toEqual(['GET /repos/acme/billing-api']);
  });

  it('an onboarding PR closed unmerged is the record of opting out: nothing is cloned, pushed or opened again', async () => {
    const declined = { ...pullJson({ number: 3, ...BILLING, state: 'closed', body: `Set up.\n\n${formatOnboardingMarker({ template: 'acme/service-template', version: 'v1.0.0' })}` }) };
    declined.head = { ...declined.head, ref: ONBOARDING };
    const api = mockGitHub();
    api.get('/repos/acme/billing-api').reply(200, repositoryJson(undefined, TEMPLATE));
    mockNoAnswers(api, BILLING);
    mockOnboardingPulls(api, { closed: [declined] });

    const app = await startApp();
    await app.receive('repository', createdPayload());

    expect(sentRequests().filter((request) => request.method !== 'GET' && !TOKENS.test(request.path))).toEqual([]);
  });

  it('a template repository without template.yml is not a template-drift template: no onboarding', async () => {
    const api = mockGitHub();
    mockLookups(api, undefined, {}, false);

    const app = await startApp();
    await app.receive('repository', createdPayload());

    expect(sentRequests().filter((request) => request.method !== 'GET' && !TOKENS.test(request.path))).toEqual([]);
  });

  it('a required variable nothing can answer: a draft PR that asks, and holds only the answers file', async () => {
    const { template, bare } = await questionFixture();
    const { created } = await onboardCreated(template, bare);
    expect(created).toMatchObject({ draft: true });
    expect(String(created?.body)).toContain('### Questions\n\nThe template needs these answers');
    expect(String(created?.body)).toContain('- `team`: the owning team');
    expect(await bare.show(ONBOARDING, 'Dockerfile.hbs')).toBe(TEMPLATE_V1['Dockerfile.hbs']);
    await expect(bare.show(ONBOARDING, 'Dockerfile')).rejects.toThrow();
    expect(await bare.show(ONBOARDING, ANSWERS_PATH)).toContain('team: null # question: the owning team');
  });

  it('installation_repositories.added: an added repository without answers that GitHub says was made from a template is onboarded', async () => {
    const template = await createTemplate();
    const bare = await copiedRepository();
    const api = mockGitHub();
    mockNoAnswers(api, BILLING);
    mockLookups(api, bare);
    mockCreate(api, template);

    const app = await startApp();
    const payload = recordedPayload('installation_repositories', 'added', TEMPLATE);
    const [shape] = payload.repositories_added as Record<string, unknown>[];
    payload.repositories_added = [{ ...shape, name: BILLING.repo, full_name: 'acme/billing-api' }];
    await app.receive('installation_repositories', payload);

    expect(sentBodies('POST', '/repos/acme/billing-api/pulls')).toHaveLength(1);
  });

  it('/sync-template on the draft onboarding PR renders it again with the answers a person committed on its branch, on top of that commit', async () => {
    const { template, bare, work } = await questionFixture({ 'OWNERS.hbs': '{{team}}\n' });
    const { api, app, created } = await onboardCreated(template, bare);

    // A person answers the question on the branch.
    await git(work.dir, 'fetch', '--quiet', bare.dir, `${ONBOARDING}:${ONBOARDING}`);
    await git(work.dir, 'checkout', '--quiet', ONBOARDING);
    const answered = (await work.read(ANSWERS_PATH)).replace(/team: null.*/, 'team: payments');
    const personal = await work.commit({ [ANSWERS_PATH]: answered }, 'Answer the team');
    await git(work.dir, 'push', '--quiet', bare.dir, ONBOARDING);

    const onboardingPull = { ...pullJson({ number: 3, ...BILLING, draft: true, title: String(created?.title), body: String(created?.body) }), head: { ref: ONBOARDING, sha: personal, repo: { full_name: 'acme/billing-api' } } };
    const comment = commentPayload(BILLING, '/sync-template', { issue: 3 });
    (comment.issue as Record<string, unknown>).pull_request = { url: 'https://api.github.com/repos/acme/billing-api/pulls/3' };
    mockReaction(api, BILLING, commentId(comment));
    mockPermission(api, BILLING, 'Codertocat', 'write');
    mockNoAnswers(api, BILLING);
    mockLookups(api, bare, { open: [onboardingPull] });
    mockRepository(api, templateRepo(template));
    api.get(contentsPath(BILLING.owner, BILLING.repo, ANSWERS_PATH, ONBOARDING.replace('/', '%2F'))).reply(200, contentJson(ANSWERS_PATH, answered));
    api.patch('/repos/acme/billing-api/pulls/3').reply(200, (_uri, body) => ({ ...onboardingPull, ...(body as object) }));
    mockComment(api, BILLING, 3);
    await app.receive('issue_comment', comment);

    expect(await bare.show(ONBOARDING, 'OWNERS')).toBe('payments\n');
    expect(await bare.show(ONBOARDING, 'Dockerfile')).toBe('FROM python:3.12-slim\nENV LOG_LEVEL=INFO\n');
    expect((await git(bare.dir, 'rev-parse', `${ONBOARDING}^`)).trim()).toBe(personal);
    const [refreshed] = sentBodies('PATCH', '/repos/acme/billing-api/pulls/3');
    expect(String(refreshed?.body)).not.toContain('### Questions');
    expect(String(refreshed?.body)).toContain("| `team` | ` payments ` | set in `.github/template-drift.yml` on this branch |");
    expect(commentsSent(BILLING, 3)).toEqual([expect.stringMatching(/^@Codertocat rendered v1\.0\.0 again with the answers on this branch: https:\/\/github\.com\/acme\/billing-api\/pull\/3$/)]);
  });
});
