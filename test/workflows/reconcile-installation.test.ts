import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { inProcessRenderer } from '../../src/engine/render-snapshot.js';
import { TemplateStore } from '../../src/git/template-store.js';
import type { RepoId } from '../../src/github/platform.js';
import { reconcileInstallation } from '../../src/workflows/reconcile-installation.js';
import { API, useNock } from '../support/app-harness.js';
import { mockRepo, mockRepositories, platform, quiet } from '../support/fleet-scan-mocks.js';
import { contentJson, contentsPath } from '../support/github-nock.js';
import { createService, createTemplate, TEMPLATE_MANIFEST, type TemplateFixture } from '../support/service-fleet.js';
import { tempDir } from '../support/temp-repo.js';

useNock();

const NOW = new Date('2026-12-01T12:00:00Z');
const ROLLOUT = `${TEMPLATE_MANIFEST}rollout: { canary: [acme/canary], wait: 24h }\n`;

async function reconcile(template: TemplateFixture): Promise<string[]> {
  const store = new TemplateStore({ cacheDir: await tempDir('td-reconcile-cache-') });
  const queued: string[] = [];
  await reconcileInstallation({
    platform: platform(), log: quiet, now: () => NOW, render: inProcessRenderer(),
    openTemplate: async () => ({ name: 'acme/service-template', repository: await store.open({ url: template.bare.url, display: 'acme/service-template' }) }),
    updateLater: (repo: RepoId, target: string) => void queued.push(`${repo.repo}@${target}`),
  });
  return queued.sort();
}

/** Two repositories behind v1.1.0 (the canary and another), its template.yml at v1.1.0, and its release published `hoursAgo`. */
async function rolloutRelease(manifest: string, hoursAgo: number | undefined): Promise<TemplateFixture> {
  const template = await createTemplate();
  await template.release('v1.1.0', { 'template.yml': manifest, 'Dockerfile.hbs': 'FROM python:3.13-slim\n' });
  const api = nock(API);
  mockRepositories(api, ['canary', 'orders']);
  for (const name of ['canary', 'orders']) await mockRepo(api, name, await (await createService(template, name)).bare.show('main', '.github/template-drift.yml'), { closedPulls: [] });
  api.get(contentsPath('acme', 'service-template', 'template.yml', 'v1.1.0')).reply(200, contentJson('template.yml', manifest));
  if (hoursAgo !== undefined) {
    api.get('/repos/acme/service-template/releases').query(true).reply(200, [{
      tag_name: 'v1.1.0', name: 'v1.1.0', body: '', html_url: 'https://github.com/acme/service-template/releases/v1.1.0', prerelease: false, draft: false,
      published_at: new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString(),
    }]);
  }
  return template;
}

describe('a reconcile of one installation', () => {
  it('queues an update to the target for each repository due, through the same call a release uses', async () => {
    expect(await reconcile(await rolloutRelease(TEMPLATE_MANIFEST, undefined))).toEqual(['canary@v1.1.0', 'orders@v1.1.0']);
  });

  it('hands its scan to the fleet views before it queues any update, so they need no scan of their own', async () => {
    const template = await rolloutRelease(TEMPLATE_MANIFEST, undefined);
    const store = new TemplateStore({ cacheDir: await tempDir('td-reconcile-cache-') });
    const told: string[] = [];
    await reconcileInstallation({
      platform: platform(), log: quiet, now: () => NOW, render: inProcessRenderer(),
      openTemplate: async () => ({ name: 'acme/service-template', repository: await store.open({ url: template.bare.url, display: 'acme/service-template' }) }),
      scanned: (entries) => {
        told.push(`inventory: ${entries.map((entry) => `${entry.repo} ${entry.state}`).join(', ')}`);
        return Promise.resolve();
      },
      updateLater: (repo: RepoId, target: string) => void told.push(`update ${repo.repo}@${target}`),
    });
    expect(told).toEqual(['inventory: acme/canary behind, acme/orders behind', 'update canary@v1.1.0', 'update orders@v1.1.0']);
  });

  it('holds the second wave of a canary rollout while a canary has not merged the release and its wait has not passed', async () => {
    expect(await reconcile(await rolloutRelease(ROLLOUT, 1))).toEqual(['canary@v1.1.0']);
  });

  it('sends the second wave once the release\'s wait has passed (a restart forgot the timer)', async () => {
    expect(await reconcile(await rolloutRelease(ROLLOUT, 25))).toEqual(['canary@v1.1.0', 'orders@v1.1.0']);
  });
});
