import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { BOT, createTestApp, recordedPayload, useNock } from '../support/app-harness.js';
import { contentJson, contentsPath, github, INSTALLATION_TOKEN, mockTokens, pullJson, repoJson } from '../support/github-nock.js';
import { createService, createTemplate } from '../support/service-fleet.js';
import { git } from '../support/temp-repo.js';

useNock();

const TEMPLATE = { owner: 'acme', repo: 'service-template' };

describe('a template release', () => {
  it('opens one update pull request in a repository that uses the template', async () => {
    const template = await createTemplate();
    const service = await createService(template, 'payments');
    await service.commit({ 'Makefile': 'test:\n\tpytest -q\n\nlint:\n\truff check .\n' }, 'local Makefile tweak');
    await template.release('v1.1.0', {
      'Dockerfile.hbs': 'FROM python:3.13-slim\nENV LOG_LEVEL={{log_level}}\n',
      'Makefile': 'test:\n\tpytest\n\nlint:\n\truff check .\n\nformat:\n\truff format .\n',
    });
    const answers = await service.bare.show('main', '.github/template-drift.yml');
    const templateJson = repoJson('acme', 'service-template', template.bare.url);
    const serviceJson = repoJson('acme', 'payments', service.bare.url);
    const head = await service.bare.sha('main');
    const created = (await git(service.bare.dir, 'log', '--format=%H', 'main', '--', '.github/template-drift.yml')).trim();

    let createdPull: Record<string, unknown> | undefined;
    const api = mockTokens(github())
      .get(contentsPath('acme', 'service-template', 'template.yml')).reply(200, contentJson('template.yml', 'name: x\n'))
      .get('/repos/acme/service-template').times(3).reply(200, templateJson)
      .get('/installation/repositories').query(true).reply(200, { total_count: 2, repositories: [templateJson, serviceJson] })
      .get(contentsPath('acme', 'payments', '.github/template-drift.yml')).times(2).reply(200, contentJson('.github/template-drift.yml', answers))
      .get('/repos/acme/payments').reply(200, serviceJson)
      .get('/repos/acme/payments/pulls').query({ state: 'open', head: 'acme:template-drift/update', per_page: '100' }).reply(200, [])
      // The answers file's history from the clone's head: one version, the service's creation.
      .get('/repos/acme/payments/commits').query({ path: '.github/template-drift.yml', sha: head, per_page: '20' }).reply(200, [{ sha: created, commit: { message: 'Create service from template' } }])
      .get('/repos/acme/payments/pulls').query({ state: 'closed', head: 'acme:template-drift/update', per_page: '100' }).reply(200, [])
      .get('/repos/acme/service-template/releases').query(true).reply(200, [
        { tag_name: 'v1.1.0', name: 'v1.1.0', body: 'Python 3.13 and a format target', html_url: 'https://github.com/acme/service-template/releases/v1.1.0', prerelease: false, draft: false },
        { tag_name: 'v1.0.0', name: 'v1.0.0', body: 'First release', html_url: 'https://github.com/acme/service-template/releases/v1.0.0', prerelease: false, draft: false },
      ])
      .post('/repos/acme/payments/pulls', (body: Record<string, unknown>) => {
        createdPull = body;
        return true;
      })
      .reply(201, (_uri, body) => pullJson({ number: 7, owner: 'acme', repo: 'payments', ...(body as object) }))
      .post('/repos/acme/payments/issues/7/labels', { labels: ['template-drift'] }).reply(200, [])
      .get('/repos/acme/payments/issues').query({ state: 'all', labels: 'template-drift', per_page: '100' }).reply(200, []);

    const app = await createTestApp();
    await app.receive('release', withRelease(recordedPayload('release', 'published', TEMPLATE), 'v1.1.0'));
    api.done();

    expect(createdPull).toMatchObject({ title: 'Update service-template to v1.1.0', head: 'template-drift/update', base: 'main', draft: false });
    const body = String(createdPull?.body);
    expect(body).toContain('| `Dockerfile` | updated |');
    expect(body).toContain('| `Makefile` | updated | changed both here and in the template: merged |');
    expect(body).toContain('Python 3.13 and a format target');
    expect(body).not.toContain('First release');
    expect(body).toContain('<!-- template-drift-update {"template":');
    expect(body).not.toContain(INSTALLATION_TOKEN);

    // The branch holds one commit by the bot on top of main, with the merged result.
    expect(await service.bare.log('template-drift/update')).toMatch(/^template-drift\[bot\] <template-drift\[bot\]@users\.noreply\.github\.com>\|chore\(template\): update service-template to v1\.1\.0\n/);
    expect(await service.bare.sha('template-drift/update^')).toBe(await service.bare.sha('main'));
    expect(await service.bare.show('template-drift/update', 'Makefile')).toBe('test:\n\tpytest -q\n\nlint:\n\truff check .\n\nformat:\n\truff format .\n');
    expect(await service.bare.show('template-drift/update', 'Dockerfile')).toBe('FROM python:3.13-slim\nENV LOG_LEVEL=INFO\n');
    const updated = parseAnswers(await service.bare.show('template-drift/update', '.github/template-drift.yml'));
    expect(updated).toMatchObject({ version: 'v1.1.0', template: 'acme/service-template' });
    expect(BOT.email).toContain('[bot]');
  });
});

function withRelease(payload: Record<string, unknown>, tag: string): Record<string, unknown> {
  const release = payload.release as Record<string, unknown>;
  release.tag_name = tag;
  release.prerelease = false;
  release.draft = false;
  return payload;
}
