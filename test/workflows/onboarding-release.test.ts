import { describe, expect, it } from 'vitest';
import { TemplateStore } from '../../src/git/template-store.js';
import { onboardingRelease } from '../../src/workflows/onboarding-release.js';
import { createTemplate } from '../support/service-fleet.js';
import { git, tempDir } from '../support/temp-repo.js';

let commit: (ref: string) => Promise<string>;

async function fixture() {
  const template = await createTemplate();
  await template.release('v1.1.0', { 'Makefile': 'test:\n\tpytest -q\n' });
  await template.release('v2.0.0-rc.1', { 'Makefile': 'test:\n\tpytest -x\n' });
  const repository = await new TemplateStore({ cacheDir: await tempDir('td-onboarding-cache-') }).open({ url: template.bare.url, display: 'acme/service-template' });
  const tree = async (ref: string) => (await git(template.bare.dir, 'rev-parse', `${ref}^{tree}`)).trim();
  commit = async (ref: string) => (await git(template.bare.dir, 'rev-parse', `${ref}^{commit}`)).trim();
  return { repository, tree };
}

describe('the release a "Use this template" copy was made from', () => {
  it('is the latest release whose tree is the copy\'s, even when a newer one came before the copy was made', async () => {
    const { repository, tree } = await fixture();
    const chosen = await onboardingRelease(repository, await tree('v1.0.0'), '2999-01-01T00:00:00Z');
    expect(chosen?.choice).toEqual({ kind: 'tree', tag: 'v1.0.0' });
    expect(chosen?.ref.commit).toBe(await commit('v1.0.0'));
  });

  it('with no tree matching, is the latest stable release dated at or before the creation (never a prerelease)', async () => {
    const { repository } = await fixture();
    expect((await onboardingRelease(repository, '0'.repeat(40), '2999-01-01T00:00:00Z'))?.choice).toEqual({ kind: 'date', tag: 'v1.1.0', created: '2999-01-01T00:00:00Z' });
  });

  it('with every release newer than the copy, is the first release', async () => {
    const { repository } = await fixture();
    expect((await onboardingRelease(repository, '0'.repeat(40), '2000-01-01T00:00:00Z'))?.choice).toEqual({ kind: 'oldest', tag: 'v1.0.0', created: '2000-01-01T00:00:00Z' });
  });
});
