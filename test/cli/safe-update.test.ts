import { execFile, execFileSync } from 'node:child_process';
import { chmod, lstat, readdir, readFile, readlink, stat, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { git, tempDir, writeTree } from '../support/temp-repo.js';
import { suiteTempDir } from '../git/suite-repo.js';
import { cli, commitAll, expectCleanFailure, initService, read, sharedCache, treeState, type CliContext } from './cli-fixtures.js';
import { createSafeTemplate, type SafeTemplate } from './safe-update-template.js';

const ANSWERS = '.github/template-drift.yml';

let template: SafeTemplate;
let context: CliContext;

beforeAll(async () => {
  template = await createSafeTemplate();
  context = { cwd: await suiteTempDir('td-safe-work-'), cacheDir: await sharedCache() };
});

/**
 * Everything on disk around a service (its siblings and their contents, `.git` folders left
 * out), with modes and bytes: what "nothing outside the repository changed" compares.
 */
async function around(service: string): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const name of await readdir(dir)) {
      const full = join(dir, name);
      if (name === '.git' || full === service) continue;
      const stats = await lstat(full);
      const path = `${prefix}${name}`;
      if (stats.isDirectory()) await walk(full, `${path}/`);
      else if (stats.isSymbolicLink()) state[path] = `link -> ${await readlink(full)}`;
      else state[path] = `${(stats.mode & 0o777).toString(8)} ${(await readFile(full)).toString('base64')}`;
    }
  }
  await walk(resolve(service, '..'), '');
  return state;
}

/** A service made from v1.0.0 with `edits` committed on top. */
async function serviceAtV1(name: string, edits: Parameters<typeof writeTree>[1] = {}): Promise<string> {
  const dir = await initService(context, template.repo.dir, name, '--ref', 'v1.0.0');
  if (Object.keys(edits).length > 0) {
    await writeTree(dir, edits);
    await commitAll(dir, 'local edits');
  }
  return dir;
}

/** Runs a command that must fail with exit 2 and prove it changed nothing, inside or around the service. */
async function refusedWhole(service: string, message: RegExp, ...args: string[]): Promise<void> {
  const [inside, outside, status] = [await treeState(service), await around(service), await git(service, 'status', '--porcelain', '--ignored')];
  expectCleanFailure(await cli(context, ...args), message);
  expect(await treeState(service)).toEqual(inside);
  expect(await around(service)).toEqual(outside);
  expect(await git(service, 'status', '--porcelain', '--ignored')).toBe(status);
}

describe('writes stay inside the repository', () => {
  it('refuses the symlink chain with files beneath it in update, init and render (exit 2, nothing written anywhere)', async () => {
    const service = await serviceAtV1('chain-update');
    await refusedWhole(service, /renders s1 as a symlink and also s1\/file beneath it/, 'update', service, '--to', 'chain');

    const before = await around(join(context.cwd, 'chain-init'));
    expectCleanFailure(await cli(context, 'init', 'chain-init', '--template', template.repo.dir, '--ref', 'chain'), /renders s1 as a symlink and also s1\/file/);
    expectCleanFailure(await cli(context, 'render', '--template', template.repo.dir, '--ref', 'chain', '--out', 'chain-render'), /renders s1 as a symlink and also s1\/file/);
    expect(await around(join(context.cwd, 'chain-init'))).toEqual(before);
  });

  it('never reads or writes through a repository folder symlinked outside: check and diff print nothing from there, update reports it', async () => {
    const outside = await tempDir('td-outside-');
    await writeTree(outside, { 'local.env': 'OUTSIDE SECRET\n', 'z.txt': 'outside z\n' });
    const service = await serviceAtV1('linked');
    await symlink(outside, join(service, 'config'));
    await symlink(outside, join(service, 'other'));
    await commitAll(service, 'config lives elsewhere');
    const outsideBefore = await treeState(outside);

    for (const command of ['check', 'diff']) {
      const run = await cli(context, command, service, '--to', 'v2.0.0');
      expect(run.code === 2 ? run.stderr : '').toBe('');
      expect(run.stdout).not.toMatch(/OUTSIDE SECRET|outside z/);
    }
    const run = await cli(context, 'update', service, '--to', 'v2.0.0');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^CONFLICT config: the template now has a folder here \(config\/local\.env\), but this repository keeps a symlink/m);
    expect(run.stdout).toMatch(/^CONFLICT other: /m);
    expect(await treeState(outside)).toEqual(outsideBefore);
    expect(await readlink(join(service, 'config'))).toBe(outside);
    expect(await read(service, 'x/y')).toBe('y beneath x\n'); // the rest of the update applied
  });
});

describe('ignored files are local files', () => {
  it('keeps an existing git-ignored file byte for byte and reports it as a conflict; the rest applies', async () => {
    const service = await serviceAtV1('ignoring', { '.gitignore': '.env\nconfig/*.env\n' });
    await writeTree(service, { '.env': 'SECRET=mine\n', 'config/local.env': Buffer.from('LOCAL=1\r\n\x00binary') });
    const before = await treeState(service);

    const run = await cli(context, 'update', service, '--to', 'v2.0.0');
    expect(run.code).toBe(1);
    const conflicts = [...run.stdout.matchAll(/^CONFLICT (\S+): (.*)$/gm)].map((match) => [match[1], match[2]]);
    expect(conflicts).toEqual([
      ['.env', expect.stringMatching(/git-ignored in this repository/) as string],
      ['config/local.env', expect.stringMatching(/git-ignored in this repository/) as string],
    ]);
    const after = await treeState(service);
    expect(after['.env']).toBe(before['.env']);
    expect(after['config/local.env']).toBe(before['config/local.env']);
    expect(await read(service, 'keep.txt')).toBe('keep v2\n');
    expect(parseAnswers(await read(service, ANSWERS)).version).toBe('v2.0.0');
  });

  it('still creates the file when the repository has none', async () => {
    const service = await serviceAtV1('ignoring-none', { '.gitignore': '.env\n' });
    expect((await cli(context, 'update', service, '--to', 'v2.0.0')).code).toBe(0);
    expect(await read(service, '.env')).toBe('FROM_TEMPLATE=1\n');
  });
});

describe('files and folders', () => {
  it('turns a file into a folder, a folder into a file, and renames by case, when the repository did not change them', async () => {
    const service = await serviceAtV1('reshaped');
    const run = await cli(context, 'update', service, '--to', 'v2.0.0');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const files = await treeState(service);
    expect(Object.keys(files).sort()).toEqual([
      '.env', '.github/template-drift.yml', 'README.md', 'config/local.env', 'd', 'enforced.txt', 'keep.txt', 'mode.cfg', 'other/z.txt', 'x/y',
    ]);
    expect(await read(service, 'x/y')).toBe('y beneath x\n');
    expect(await read(service, 'd')).toBe('d is a file now\n');
    expect(await read(service, 'README.md')).toBe('# readme\n');

    await commitAll(service, 'update');
    expect((await cli(context, 'check', service)).code).toBe(0);
    expect((await cli(context, 'update', service)).code).toBe(0);
    expect(await git(service, 'status', '--porcelain')).toBe('');
  });

  it('reports one conflict for a repository file where the template now wants a folder, and applies the rest', async () => {
    const service = await serviceAtV1('file-in-the-way', { 'x': 'x edited here\n', 'other': 'my own file called other\n', 'd/mine.txt': 'mine\n' });
    const run = await cli(context, 'update', service, '--to', 'v2.0.0');
    expect(run.code).toBe(1);
    const conflicts = [...run.stdout.matchAll(/^CONFLICT (\S+): (.*)$/gm)].map((match) => [match[1], match[2]]);
    expect(conflicts).toEqual([
      ['d', expect.stringMatching(/^the template now has a file here, but this repository keeps files in this folder \(d\/mine\.txt\)/) as string],
      ['other', expect.stringMatching(/^the template now has a folder here \(other\/z\.txt\), but this repository keeps a file/) as string],
      ['x', expect.stringMatching(/^deleted by the template but changed in this repository; the template now has a folder here \(x\/y\)/) as string],
    ]);
    expect(await read(service, 'x')).toBe('x edited here\n');
    expect(await read(service, 'other')).toBe('my own file called other\n');
    expect(await read(service, 'd/mine.txt')).toBe('mine\n');
    await expect(stat(join(service, 'd/inner.txt'))).rejects.toThrow(); // deleted by the template, unchanged here
    expect(await read(service, 'keep.txt')).toBe('keep v2\n');
    expect(await read(service, 'README.md')).toBe('# readme\n');
  });
});

describe('init into a folder that is in the way', () => {
  it('refuses a folder where the template has a file, and a file where it has a folder, writing nothing', async () => {
    const dir = join(context.cwd, 'adopted');
    await writeTree(dir, { 'x/mine.txt': 'my folder x\n' });
    const before = await treeState(dir);
    expectCleanFailure(await cli(context, 'init', 'adopted', '--template', template.repo.dir, '--ref', 'v1.0.0'), /Refusing to write x: it is a folder here that still holds x\/mine\.txt; nothing was written/);
    expect(await treeState(dir)).toEqual(before);

    await writeTree(dir, { 'x': null, 'd': 'my file d\n' });
    expectCleanFailure(await cli(context, 'init', 'adopted', '--template', template.repo.dir, '--ref', 'v1.0.0'), /Refusing to write d\/inner\.txt: d is a file in this repository/);
    expect(Object.keys(await treeState(dir))).toEqual(['d']);
  });
});

describe('all or nothing', () => {
  it.each([
    ['a template whose output has both foo and foo/…', 'file-and-folder', /renders foo as a file and also foo\/bar\.txt beneath it/],
    ['a newline in a rendered path', 'newline-path', /renders to an unsafe path "two\\nlines\/file\.txt": it contains a control character/],
    // Rendering refuses it first; the write's own check (test/git/local-checkout.test.ts) stays as the last line.
    ['a name longer than filesystems allow', 'long-name', /Template file dir\/\{\{long\}\}\.txt renders a file or folder name longer than 255 bytes/],
  ])('refuses %s before any write', async (_what, ref, message) => {
    const service = await serviceAtV1(`refused-${ref}`);
    await refusedWhole(service, message, 'update', service, '--to', ref);
  });

  const immutable = canMakeImmutable();
  it.skipIf(!immutable)('refuses a file it may not write (immutable, so even root cannot) before any write', async () => {
    const service = await serviceAtV1('read-only');
    execFileSync('chattr', ['+i', join(service, 'mode.cfg')]);
    try {
      await refusedWhole(service, /Refusing to write mode\.cfg: EPERM may not be written; nothing was written/, 'update', service, '--to', 'v2.0.0');
    } finally {
      execFileSync('chattr', ['-i', join(service, 'mode.cfg')]);
    }
  });

  it('puts everything back, answers file included, when a write fails half-way (a file size limit)', async () => {
    const service = await serviceAtV1('half-way');
    await chmod(join(service, 'mode.cfg'), 0o640);
    // Warm the template cache, so the limited run below writes nothing but the update itself.
    expect((await cli(context, 'check', service, '--to', 'big')).code).toBe(1);
    const [inside, outside] = [await treeState(service), await around(service)];

    // `prlimit --fsize` caps the size of any file the process writes; Node then gets EFBIG (not
    // a signal), which no permission bit or root can avoid: a failure the preflight cannot see.
    const run = await promisify(execFile)('prlimit', ['--fsize=65536', process.execPath, resolve('dist/cli/main.js'), 'update', service, '--to', 'big'], {
      cwd: context.cwd, env: { ...process.env, TEMPLATE_DRIFT_CACHE_DIR: context.cacheDir },
    }).then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^template-drift: Could not write zz-big\.bin \(EFBIG.*every change was undone, so the folder is exactly as it was\n$/);
    expect(await treeState(service)).toEqual(inside);
    expect(await around(service)).toEqual(outside);
    expect(await git(service, 'status', '--porcelain', '--ignored')).toBe('');
  });
});

describe('modes', () => {
  it('keeps a file\'s 0640 or 0664 when the update changes its content', async () => {
    const service = await serviceAtV1('modes');
    await chmod(join(service, 'mode.cfg'), 0o640);
    await chmod(join(service, 'enforced.txt'), 0o664);
    expect((await cli(context, 'update', service, '--to', 'v2.0.0')).code).toBe(0);
    expect(await read(service, 'mode.cfg')).toBe('mode v2\n');
    expect((await stat(join(service, 'mode.cfg'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(service, 'enforced.txt'))).mode & 0o777).toBe(0o664);
  });
});

function canMakeImmutable(): boolean {
  try {
    const probe = join(process.env.TMPDIR ?? '/tmp', `td-chattr-probe-${process.pid}`);
    execFileSync('sh', ['-c', `touch '${probe}' && chattr +i '${probe}' && chattr -i '${probe}'; rc=$?; rm -f '${probe}'; exit $rc`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}


