import { afterEach, describe, expect, it } from 'vitest';
import { TemplateDriftOctokit } from '../../src/app/octokit.js';
import { OctokitPlatform } from '../../src/github/octokit-platform.js';
import { openAppTemplate, type FetchSettings } from '../../src/workflows/open-template.js';
import { releaseTemplates } from '../../src/workflows/release-templates.js';
import { API, useNock } from '../support/app-harness.js';
import { gitLogShim } from '../support/git-log-shim.js';
import { github, repoJson } from '../support/github-nock.js';
import { createTemplate } from '../support/service-fleet.js';
import { tempDir } from '../support/temp-repo.js';

useNock();

const shims: { restore(): void }[] = [];
afterEach(() => {
  for (const shim of shims.splice(0)) shim.restore();
});

describe('opening the template of a release\'s update', () => {
  it('an update that finds nothing its fan-out kept keeps what it learnt: the next update of the release mints no token, lists no refs and reads no releases', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', { 'NEW.md': 'new\n' });
    const tokens: string[] = [];
    const octokit = new TemplateDriftOctokit({ auth: { token: 'ghs_test' }, baseUrl: API, retry: { enabled: false }, throttle: { enabled: false } });
    const platform = new OctokitPlatform({
      octokit, serializeWrite: (write) => write(),
      createToken: (repo) => {
        tokens.push(repo.repo);
        return Promise.resolve({ token: 'ghs_templateRead', expiresAt: new Date(Date.now() + 3_600_000) });
      },
    });
    // Each update still asks GitHub which repository the template is (a renamed one is asked anew).
    github().get('/repos/acme/service-template').times(2).reply(200, repoJson('acme', 'service-template', template.bare.url));
    const fetching: FetchSettings = { cacheDir: await tempDir('td-open-cache-'), sources: { serverUrl: 'https://github.com', allowedHosts: [] }, gitProtocols: ['file'] };
    const templates = releaseTemplates();
    const shim = await gitLogShim();
    shim.install();
    shims.push(shim);

    // The release notes' list: a failed read is not kept, and the one that answers serves both updates.
    github().get('/repos/acme/service-template/releases').query(true).reply(500, { message: 'Server Error' })
      .get('/repos/acme/service-template/releases').query(true).reply(200, [{ tag_name: 'v1.1.0', name: 'v1.1.0', body: 'notes', html_url: 'https://github.com/acme/service-template/releases/v1.1.0', prerelease: false, draft: false }]);

    const resolved: string[] = [];
    const notes: string[] = [];
    for (let update = 0; update < 2; update++) {
      const opened = await openAppTemplate(platform, 'acme/service-template', fetching, undefined, { templates, tag: 'v1.1.0' });
      resolved.push((await opened.repository.resolve('v1.1.0')).commit);
      if (update === 0) await expect(opened.releases()).rejects.toThrow();
      notes.push(...(await opened.releases()).map((release) => release.body));
    }

    expect(resolved[1]).toBe(resolved[0]);
    expect(notes).toEqual(['notes', 'notes']);
    expect(tokens).toEqual(['service-template']);
    expect((await shim.commands()).filter((command) => command.includes('ls-remote'))).toHaveLength(1);
  });
});
