import { describe, expect, it } from 'vitest';
import { INSTALLATION_ID } from '../support/app-harness.js';
import {
  installationPayload, mockAnswers, mockGitHub, mockRepository, mockUpdateToNewPull, repositoriesAddedPayload, sentBodies, sentRequests, serviceRepo,
  startApp, templateRepo, UPDATE_BRANCH, useGitHub, type RepoRef,
} from '../support/github-mocks.js';
import { createService, createTemplate } from '../support/service-fleet.js';

useGitHub();

const PAYMENTS: RepoRef = { owner: 'acme', repo: 'payments' };
const DOCS: RepoRef = { owner: 'acme', repo: 'docs' };
const WIKI: RepoRef = { owner: 'acme', repo: 'wiki' };
const TOKENS = `/app/installations/${INSTALLATION_ID}/access_tokens`;

/** The repositories the app asked a scoped token for (Probot's own installation token names none). */
function tokenRepositories(): string[] {
  return sentBodies('POST', TOKENS).flatMap((body) => (body.repositories as string[] | undefined) ?? []);
}

/** Every call about one repository, as `METHOD path`. */
function callsFor(repo: RepoRef): string[] {
  return sentRequests()
    .filter((request) => request.path.startsWith(`/repos/${repo.owner}/${repo.repo}/`) || request.path === `/repos/${repo.owner}/${repo.repo}`)
    .map((request) => `${request.method} ${request.path}`);
}

/**
 * An added repository without answers may have been made with "Use this template" (an
 * installation on selected repositories hears no repository.created for it): one GET of the
 * repository says whether GitHub records a template_repository. An installation being created
 * onboards nothing: its repositories were not just made.
 */
describe.each([
  ['installation', 'the app is installed (installation.created)', installationPayload, false],
  ['installation_repositories', 'repositories are added to the installation (installation_repositories.added)', repositoriesAddedPayload, true],
])('when %s: %s', (event, _when, payload, looksForTemplate) => {
  it('a listed repository whose answers name a template and is behind gets an update PR to its latest release; one without answers costs two reads (its answers file, then cruft\'s .cruft.json)', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM python:3.13-slim\nENV LOG_LEVEL={{log_level}}\n' });
    await template.release('v1.2.0', { 'Makefile': 'test:\n\tpytest --cov\n\nlint:\n\truff check .\n' });
    const payments = await createService(template, 'payments');
    const tpl = templateRepo(template);
    // No bare repository behind docs: a clone would fail the test.
    const docs = await serviceRepo('docs', undefined);

    const api = mockGitHub();
    mockUpdateToNewPull(api, await serviceRepo('payments', payments), { template: tpl, number: 5, releaseTags: ['v1.0.0', 'v1.1.0', 'v1.2.0'] });
    mockAnswers(api, docs);
    if (looksForTemplate) mockRepository(api, docs);

    const app = await startApp();
    await app.receive(event, payload([DOCS, PAYMENTS]));

    const [created, more] = sentBodies('POST', '/repos/acme/payments/pulls');
    expect(more).toBeUndefined();
    expect(created).toMatchObject({ title: 'Update service-template to v1.2.0', head: UPDATE_BRANCH, base: 'main', draft: false });
    expect(String(created?.body)).toContain('"from":"v1.0.0","to":"v1.2.0"');
    expect(await payments.bare.show(UPDATE_BRANCH, 'Dockerfile')).toBe('FROM python:3.13-slim\nENV LOG_LEVEL=INFO\n');
    expect(await payments.bare.show(UPDATE_BRANCH, 'Makefile')).toBe('test:\n\tpytest --cov\n\nlint:\n\truff check .\n');
    expect(await payments.bare.show(UPDATE_BRANCH, '.github/template-drift.yml')).toMatch(/^version: v1\.2\.0$/m);

    expect(callsFor(DOCS)).toEqual(['GET /repos/acme/docs/contents/.github%2Ftemplate-drift.yml', 'GET /repos/acme/docs/contents/.cruft.json', ...(looksForTemplate ? ['GET /repos/acme/docs'] : [])]);
    expect(tokenRepositories().sort()).toEqual(['payments', 'service-template']);
  });

  it('repositories without an answers file (and no template_repository) cost two contents reads each (the answers file, then cruft\'s .cruft.json), plus the repository\'s GET when added: no clone, no token, no write', async () => {
    const api = mockGitHub();
    for (const name of ['docs', 'wiki']) {
      const repo = await serviceRepo(name, undefined);
      mockAnswers(api, repo);
      if (looksForTemplate) mockRepository(api, repo);
    }

    const app = await startApp();
    await app.receive(event, payload([DOCS, WIKI]));

    const calls = sentRequests().filter((request) => request.path !== TOKENS).map((request) => `${request.method} ${request.path}`);
    expect(calls.sort()).toEqual([
      ...(looksForTemplate ? ['GET /repos/acme/docs'] : []),
      'GET /repos/acme/docs/contents/.cruft.json',
      'GET /repos/acme/docs/contents/.github%2Ftemplate-drift.yml',
      ...(looksForTemplate ? ['GET /repos/acme/wiki'] : []),
      'GET /repos/acme/wiki/contents/.cruft.json',
      'GET /repos/acme/wiki/contents/.github%2Ftemplate-drift.yml',
    ]);
    expect(tokenRepositories()).toEqual([]);
  });
});
