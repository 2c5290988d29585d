import { describe, expect, it } from 'vitest';
import { git, type Tree } from '../support/temp-repo.js';
import { mockGitHub, mockRelease, mockUpdateToNewPull, releasePayload, sentBodies, serviceRepo, startApp, templateRepo, UPDATE_BRANCH, useGitHub } from '../support/github-mocks.js';
import { createService, createTemplate, type ServiceFixture } from '../support/service-fleet.js';

useGitHub();

/** v1.1.0 makes the Makefile a folder of make files and the CircleCI folder a single file. */
const RESHAPED: Tree = {
  'Makefile': null,
  'Makefile/common.mk': 'test:\n\tpytest\n',
  '.circleci/config.yml': null,
  '.circleci': 'now a file\n',
};

/** The update branch's files with their modes, as `git ls-tree -r` lists them. */
async function branchFiles(service: ServiceFixture): Promise<string[]> {
  return (await git(service.bare.dir, 'ls-tree', '-r', '--format=%(objectmode) %(path)', UPDATE_BRANCH)).trim().split('\n');
}

async function releaseReshaped(localEdit?: Tree): Promise<{ service: ServiceFixture; created: Record<string, unknown> }> {
  const template = await createTemplate();
  await template.release('v1.1.0', RESHAPED);
  const service = await createService(template, 'payments');
  if (localEdit) await service.commit(localEdit, 'local edit');
  const api = mockGitHub();
  const repo = await serviceRepo('payments', service);
  const tpl = templateRepo(template);
  mockRelease(api, tpl, [repo]);
  mockUpdateToNewPull(api, repo, { template: tpl, number: 3, labels: localEdit ? ['template-drift', 'template-drift:conflicts'] : ['template-drift'] });
  await (await startApp()).receive('release', releasePayload('v1.1.0'));
  const [created] = sentBodies('POST', '/repos/acme/payments/pulls');
  return { service, created: created! };
}

describe('a template release that turns files into folders and folders into files', () => {
  it('commits both changes cleanly when the repository did not change those paths', async () => {
    const { service, created } = await releaseReshaped();
    expect(created).toMatchObject({ draft: false });
    expect(await branchFiles(service)).toEqual([
      '100644 .circleci', '100644 .github/template-drift.yml', '100644 Dockerfile', '100644 Makefile/common.mk', '100644 payments/app.py',
    ]);
    expect(await service.bare.show(UPDATE_BRANCH, '.circleci')).toBe('now a file\n');
  });

  it('reports a repository file where the template now wants a folder as one conflict, and commits the rest', async () => {
    const { service, created } = await releaseReshaped({ 'Makefile': 'test:\n\tpytest -x\n' });
    expect(created).toMatchObject({ draft: true });
    const body = String(created.body);
    expect(body.match(/\| conflict \|/g)).toHaveLength(1);
    expect(body).toContain('| `Makefile` | conflict |');
    expect(body).not.toContain('| `Makefile/common.mk` |');
    expect(await branchFiles(service)).toEqual([
      '100644 .circleci', '100644 .github/template-drift.yml', '100644 Dockerfile', '100644 Makefile', '100644 payments/app.py',
    ]);
    expect(await service.bare.show(UPDATE_BRANCH, 'Makefile')).toBe('test:\n\tpytest -x\n');
  });
});
