import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { SuiteRepo } from '../git/suite-repo.js';
import type { TestRepo } from '../support/temp-repo.js';
import { git, writeTree } from '../support/temp-repo.js';
import { cli, cliContext, commitAll, expectCleanFailure, initService, read, sharedCache, treeState, type CliContext } from './cli-fixtures.js';

/** No silent downgrade: `--to` an older version is refused unless asked for; a plain update never goes back. */
const ANSWERS = '.github/template-drift.yml';
const MANIFEST = 'name: svc\nfiles:\n  enforce: ["bin/*"]\n';

const release = (version: string) => ({
  'template.yml': MANIFEST,
  'VERSION': `${version}\n`,
  'bin/run.sh': { content: `#!/bin/sh\necho ${version}\n`, executable: true },
});

let template: TestRepo;
let commits: Record<string, string>;
let context: CliContext;

beforeAll(async () => {
  template = await SuiteRepo.create('td-downgrade-template-');
  commits = {};
  for (const tag of ['v1.0.0', 'v1.2.0', 'v2.0.0-rc.1']) commits[tag] = await template.release(tag, release(tag));
  commits.main = await template.commit(release('main'), 'work after the prerelease');
  context = await cliContext(await sharedCache());
});

/** The files a service at `version` has, with their modes, besides its answers file. */
function filesAt(version: string): Record<string, string> {
  return {
    'VERSION': `644 ${Buffer.from(`${version}\n`).toString('base64')}`,
    'bin/run.sh': `755 ${Buffer.from(`#!/bin/sh\necho ${version}\n`).toString('base64')}`,
  };
}

async function serviceAt(name: string, ref: string): Promise<string> {
  return initService(context, template.dir, name, '--ref', ref);
}

async function withoutAnswers(dir: string): Promise<Record<string, string>> {
  const { [ANSWERS]: answers, ...rest } = await treeState(dir);
  expect(answers).toBeDefined();
  return rest;
}

describe('update --to an older version', () => {
  it('exits 2 saying it is a downgrade, naming both versions, and changes nothing', async () => {
    const dir = await serviceAt('refused', 'v1.2.0');
    const before = await treeState(dir);
    expectCleanFailure(await cli(context, 'update', dir, '--to', 'v1.0.0'),
      /^template-drift: v1\.0\.0 is older than v1\.2\.0, the version this repository records: updating to it would be a downgrade\. Pass --allow-downgrade/);
    expect(await treeState(dir)).toEqual(before);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
  });

  it('is applied with --allow-downgrade, content and modes, and recorded', async () => {
    const dir = await serviceAt('allowed', 'v1.2.0');
    const run = await cli(context, 'update', dir, '--to', 'v1.0.0', '--allow-downgrade');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/svc v1\.2\.0 → v1\.0\.0/);
    expect(await withoutAnswers(dir)).toEqual(filesAt('v1.0.0'));
    expect(parseAnswers(await read(dir, ANSWERS))).toMatchObject({ version: 'v1.0.0', commit: commits['v1.0.0'] });
  });

  it('named by a SHA or a branch is ordered by the template\'s history: behind the recorded commit is a downgrade, ahead is not', async () => {
    const dir = await serviceAt('by-ancestry', 'v1.2.0');
    const before = await treeState(dir);
    expectCleanFailure(await cli(context, 'check', dir, '--to', commits['v1.0.0']!), /is older than v1\.2\.0.*downgrade/);
    expect(await treeState(dir)).toEqual(before);

    const run = await cli(context, 'update', dir, '--to', 'main');
    expect(run.code).toBe(0);
    expect(await withoutAnswers(dir)).toEqual(filesAt('main'));
  });
});

describe('a plain update or check never goes backwards', () => {
  it('at a prerelease newer than the latest release: up to date, and the prerelease is not undone', async () => {
    const dir = await serviceAt('prerelease', 'v1.2.0');
    const to = await cli(context, 'update', dir, '--to', 'v2.0.0-rc.1');
    expect(to.code).toBe(0);
    await commitAll(dir, 'try the release candidate');
    const before = await treeState(dir);

    const check = await cli(context, 'check', dir);
    expect(check).toMatchObject({ code: 0, stdout: 'In line with svc v2.0.0-rc.1.\n' });
    const diff = await cli(context, 'diff', dir);
    expect(diff).toMatchObject({ code: 0, stdout: '' });
    const run = await cli(context, 'update', dir);
    expect(run.code).toBe(0);
    expect(await treeState(dir)).toEqual(before);
    expect(await withoutAnswers(dir)).toEqual(filesAt('v2.0.0-rc.1'));
  });

  it('at a prerelease, still repairs drift from that prerelease', async () => {
    const dir = await serviceAt('prerelease-drift', 'v2.0.0-rc.1');
    await writeTree(dir, { 'bin/run.sh': '#!/bin/sh\necho local\n' });
    await chmod(join(dir, 'bin/run.sh'), 0o644);
    await commitAll(dir, 'a local run script');
    const run = await cli(context, 'update', dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Drifted from svc v2\.0\.0-rc\.1:/);
    expect(await withoutAnswers(dir)).toEqual(filesAt('v2.0.0-rc.1'));
    expect(parseAnswers(await read(dir, ANSWERS)).version).toBe('v2.0.0-rc.1');
  });

  it('at a branch ahead of every release: the latest release is behind it, so nothing changes', async () => {
    const dir = await serviceAt('on-main', 'main');
    const before = await treeState(dir);
    const check = await cli(context, 'check', dir);
    expect(check).toMatchObject({ code: 0, stdout: 'In line with svc main.\n' });
    expect((await cli(context, 'update', dir)).code).toBe(0);
    expect(await treeState(dir)).toEqual(before);
  });

  it('behind the latest release: goes forward to it', async () => {
    const dir = await serviceAt('behind', 'v1.0.0');
    const run = await cli(context, 'update', dir);
    expect(run.stdout).toMatch(/svc v1\.0\.0 → v1\.2\.0/);
    expect(await withoutAnswers(dir)).toEqual(filesAt('v1.2.0'));
  });
});
