import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git, writeTree, type Tree } from '../support/temp-repo.js';
import { SuiteRepo, suiteTempDir } from '../git/suite-repo.js';
import { cli, commitAll, sharedCache, treeState, type CliContext } from './cli-fixtures.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
const png = (tail: number[]) => Buffer.concat([PNG, Buffer.from(tail)]);

/** A template whose v2 touches every kind of file: the patch must carry each one. */
const V1: Tree = {
  'template.yml': 'name: kinds\nvariables:\n  service_name: { default: svc }\n',
  'text.txt': 'a\nb\nc\n',
  'crlf.txt': 'a\r\nb\r\n',
  'nonl.txt': 'a\nb',
  'logo.png': png([1]),
  'edited.png': png([1]),
  'deleted-here.png': png([1]),
  'tool.sh': '#!/bin/sh\n',
  'gone.txt': 'bye\n',
  'gone.png': png([7]),
  'link': { symlink: 'text.txt' },
  'was-file': 'a file\n',
  'latin1.txt': Buffer.from('caf\xe9\n', 'latin1'),
};

const V2: Tree = {
  'text.txt': 'A\nb\nc\n',
  'crlf.txt': 'A\r\nb\r\n',
  'nonl.txt': 'A\nb',
  'logo.png': png([2]),
  'edited.png': png([2]),
  'deleted-here.png': png([2]),
  'tool.sh': { content: '#!/bin/sh\n', executable: true },
  'gone.txt': null,
  'gone.png': null,
  'link': { symlink: 'crlf.txt' },
  'was-file': { symlink: 'text.txt' },
  'latin1.txt': Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'),
  'new/deeper/still/file.txt': 'new\n',
  'new/image.png': png([3, 3]),
  'new/link': { symlink: '../text.txt' },
};

/** Local edits: a text edit that merges, a binary changed on both sides, a file deleted here. */
const LOCAL: Tree = {
  'text.txt': 'a\nb\nc local\n',
  'edited.png': png([9]),
  'deleted-here.png': null,
};

let context: CliContext;
let template: string;

beforeAll(async () => {
  const repo = await SuiteRepo.create('td-kinds-template-');
  await repo.release('v1.0.0', V1);
  await repo.release('v2.0.0', V2);
  template = repo.dir;
  context = { cwd: await suiteTempDir('td-cli-work-'), cacheDir: await sharedCache() };
});

/** A repository with the service at `subfolder` (`''`: at its top), at v1.0.0, edited and committed. */
async function service(name: string, subfolder: string): Promise<string> {
  const root = join(context.cwd, name);
  await writeTree(root, { 'OUTSIDE.md': 'not the service\n' });
  await git(root, 'init', '--quiet', '--initial-branch=main');
  const dir = join(root, subfolder);
  expect((await cli(context, 'init', dir, '--template', template, '--ref', 'v1.0.0')).code).toBe(0);
  await writeTree(dir, LOCAL);
  await commitAll(root, 'service, edited');
  return root;
}

async function clone(root: string, name: string): Promise<string> {
  const dir = join(context.cwd, name);
  await git(context.cwd, 'clone', '--quiet', '--', root, dir);
  return dir;
}

describe.each([
  { where: 'at the top of its repository', subfolder: '' },
  { where: 'in a subfolder of a monorepo', subfolder: 'services/pay/' },
])('the patch diff prints, for a service $where', ({ subfolder }) => {
  it('applies with git apply at the repository top, giving byte for byte what update writes', async () => {
    const name = subfolder ? 'mono' : 'top';
    const root = await service(name, subfolder);
    const run = await cli(context, 'diff', join(root, subfolder));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`diff --git a/${subfolder}logo.png b/${subfolder}logo.png`);
    expect(run.stdout).toContain('GIT binary patch');

    const patched = await clone(root, `${name}-patched`);
    const patchFile = join(context.cwd, `${name}.patch`);
    await writeFile(patchFile, run.stdoutBytes);
    await git(patched, 'apply', '--check', patchFile);
    await git(patched, 'apply', patchFile);

    const updated = await clone(root, `${name}-updated`);
    const update = await cli(context, 'update', join(updated, subfolder));
    expect(update.code).toBe(1);

    const state = await treeState(patched);
    expect(state).toEqual(await treeState(updated));
    expect(state[`${subfolder}new/link`]).toBe('link -> ../text.txt');
    expect(state[`${subfolder}was-file`]).toBe('link -> text.txt');
    expect(state[`${subfolder}tool.sh`]).toMatch(/^755 /);
    expect(state[`${subfolder}gone.png`]).toBeUndefined();
    expect(state[`${subfolder}edited.png.template`]).toBe(`644 ${png([2]).toString('base64')}`);
    expect(state[`${subfolder}deleted-here.png.template`]).toBe(`644 ${png([2]).toString('base64')}`);
    expect(state['OUTSIDE.md']).toBe(`644 ${Buffer.from('not the service\n').toString('base64')}`);
  });
});
