import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../src/engine/file-map.js';
import { UserError } from '../../src/engine/user-error.js';
import { LocalCheckout, nearestFolderHolding } from '../../src/git/local-checkout.js';
import { git, tempDir, TestRepo, writeTree } from '../support/temp-repo.js';

const regular = (text: string): FileEntry => ({ content: Buffer.from(text), mode: '100644' });

describe('recognising a repository', () => {
  it('knows the work tree holding the folder, at its top or below it', async () => {
    const repo = await TestRepo.create({ 'services/pay/a.txt': 'a' });
    const top = await realpath(repo.dir);
    expect(await new LocalCheckout(repo.dir).repositoryPlace()).toEqual({ top, prefix: '' });
    expect(await new LocalCheckout(join(repo.dir, 'services/pay')).repositoryPlace()).toEqual({ top, prefix: 'services/pay/' });
    expect(await new LocalCheckout(join(repo.dir, 'services/pay')).insideGitRepository()).toBe(true);
    expect(await new LocalCheckout(await tempDir()).insideGitRepository()).toBe(false);
    expect(await new LocalCheckout(join(repo.dir, 'missing')).insideGitRepository()).toBe(false);
  });

  it('lists only the uncommitted paths of its own folder, relative to it', async () => {
    const repo = await TestRepo.create({ 'services/pay/a.txt': 'a', 'services/payroll/b.txt': 'b', 'top.txt': 't', 'services/pay/moved.txt': 'm' });
    await repo.write({ 'services/pay/a.txt': 'changed', 'services/pay/new/c.txt': 'c', 'services/payroll/b.txt': 'sibling', 'top.txt': 'x' });
    await git(repo.dir, 'mv', 'services/pay/moved.txt', 'services/pay/renamed.txt');
    const pay = new LocalCheckout(join(repo.dir, 'services/pay'));
    expect((await pay.uncommittedPaths()).sort()).toEqual(['a.txt', 'new/c.txt', 'renamed.txt']);
    expect(await new LocalCheckout(join(repo.dir, 'services/payroll')).uncommittedPaths()).toEqual(['b.txt']);
  });

  it('finds the nearest folder holding a file, upward and within the work tree only', async () => {
    const repo = await TestRepo.create({ 'marker': 'outer', 'svc/marker': 'inner', 'svc/src/deep/x.txt': 'x', 'other/y.txt': 'y' });
    const top = await realpath(repo.dir);
    // The place in git comes along, as git itself gives it for the folder found (no second rev-parse).
    const svc = { dir: join(top, 'svc'), place: { top, prefix: 'svc/' } };
    expect(await nearestFolderHolding(join(repo.dir, 'svc/src/deep'), 'marker')).toEqual(svc);
    expect(await nearestFolderHolding(join(repo.dir, 'svc'), 'marker')).toEqual(svc);
    expect(await nearestFolderHolding(join(repo.dir, 'other'), 'marker')).toEqual({ dir: top, place: { top, prefix: '' } });
    expect(await new LocalCheckout(join(top, 'svc')).repositoryPlace()).toEqual(svc.place);
    expect(await nearestFolderHolding(join(repo.dir, 'svc/missing'), 'marker')).toBeUndefined();
    const parent = await tempDir();
    await writeTree(parent, { marker: 'above the work tree' });
    const nested = await TestRepo.create({ 'inside/z.txt': 'z' }, '', async () => {
      await mkdir(join(parent, 'repo'));
      return join(parent, 'repo');
    });
    expect(await nearestFolderHolding(join(nested.dir, 'inside'), 'marker')).toBeUndefined();
  });

  it('lists modified, staged and untracked paths, including files in new folders', async () => {
    const repo = await TestRepo.create({ 'a.txt': 'a', 'b.txt': 'b' });
    const checkout = new LocalCheckout(repo.dir);
    expect(await checkout.uncommittedPaths()).toEqual([]);
    await repo.write({ 'a.txt': 'changed', 'new/deep/file.txt': 'n' });
    await writeTree(repo.dir, { 'b.txt': 'staged' });
    await git(repo.dir, 'add', 'b.txt');
    expect((await checkout.uncommittedPaths()).sort()).toEqual(['a.txt', 'b.txt', 'new/deep/file.txt']);
  });

  it.each([
    ['https://github.com/acme/payments.git', { owner: 'acme', name: 'payments' }],
    ['git@github.com:acme/payments.git', { owner: 'acme', name: 'payments' }],
    ['https://ghe.example.com/team/billing-api', { owner: 'team', name: 'billing-api' }],
  ])('takes owner and name from the origin %s', async (url, identity) => {
    const repo = await TestRepo.create();
    await git(repo.dir, 'remote', 'add', 'origin', url);
    expect(await new LocalCheckout(repo.dir).identity()).toEqual(identity);
  });

  it('names a service in a subfolder by its folder, owned by the origin\'s owner', async () => {
    const repo = await TestRepo.create({ 'services/payments/a.txt': 'a' });
    await git(repo.dir, 'remote', 'add', 'origin', 'https://github.com/acme/platform.git');
    expect(await new LocalCheckout(join(repo.dir, 'services/payments')).identity()).toEqual({ owner: 'acme', name: 'payments' });
  });

  it('falls back to the folder name without an origin, or without git', async () => {
    const dir = await tempDir('td-named-');
    expect(await new LocalCheckout(join(dir, 'my-service')).identity()).toEqual({ owner: '', name: 'my-service' });
    const repo = await TestRepo.create();
    expect((await new LocalCheckout(repo.dir).identity()).name).toBe(repo.dir.split('/').pop());
  });
});

describe('reading files', () => {
  it('reads only the asked paths with their modes, skipping missing ones', async () => {
    const repo = await TestRepo.create({
      'run.sh': { content: '#!/bin/sh\n', executable: true },
      'a.txt': 'a\r\nb',
      'link': { symlink: 'a.txt' },
      'other.txt': 'not asked',
    });
    const files = await new LocalCheckout(repo.dir).readFiles(['run.sh', 'a.txt', 'link', 'missing.txt']);
    expect([...files.keys()].sort()).toEqual(['a.txt', 'link', 'run.sh']);
    expect(files.get('run.sh')?.mode).toBe('100755');
    expect(files.get('a.txt')).toEqual(regular('a\r\nb'));
    expect(files.get('link')).toEqual({ content: Buffer.from('a.txt'), mode: '120000' });
  });

  it('reads a folder where a file was asked as every file beneath it, and a file where a folder is needed as that file', async () => {
    const repo = await TestRepo.create({ 'Dockerfile/inner': 'x', 'Dockerfile/deep/more': 'y', 'config': 'a file\n' });
    const files = await new LocalCheckout(repo.dir).readFiles(['Dockerfile', 'config/app.yml']);
    expect(Object.fromEntries([...files].map(([path, entry]) => [path, entry.content.toString()]))).toEqual({
      'Dockerfile/inner': 'x', 'Dockerfile/deep/more': 'y', 'config': 'a file\n',
    });
  });

  it('never reads through a folder symlinked outside the repository: it reports the link', async () => {
    const outside = await tempDir('td-outside-');
    await writeTree(outside, { 'secret.txt': 'not yours\n' });
    const repo = await TestRepo.create({ 'conf': { symlink: outside } });
    const files = await new LocalCheckout(repo.dir).readFiles(['conf/secret.txt', 'conf']);
    expect([...files.keys()]).toEqual(['conf']);
    expect(files.get('conf')).toEqual({ content: Buffer.from(outside), mode: '120000' });
  });

  it('marks the files git ignores, and only those', async () => {
    const repo = await TestRepo.create({ '.gitignore': '.env\nconfig/*.env\n', 'tracked.env': 'a' });
    await writeTree(repo.dir, { '.env': 'SECRET=1\n', 'config/local.env': 'X=2\n', 'config/app.yml': 'a: 1\n' });
    const files = await new LocalCheckout(repo.dir).readFiles(['.env', 'config/local.env', 'config/app.yml', 'tracked.env', 'missing.env']);
    expect([...files].filter(([, entry]) => entry.gitIgnored).map(([path]) => path).sort()).toEqual(['.env', 'config/local.env']);
    expect(files.get('.env')?.content.toString()).toBe('SECRET=1\n');
  });

  it('marks files inside a folder git ignores, and none of those an ignored file only resembles', async () => {
    const repo = await TestRepo.create({ '.gitignore': 'build/\n*.log\n', 'build.txt': 'tracked' });
    await writeTree(repo.dir, { 'build/out.txt': 'o', 'build/deep/x.txt': 'x', 'builder/y.txt': 'y', 'logs/a.log': 'a', ':(glob)z.log': 'z' });
    const files = await new LocalCheckout(repo.dir).readFiles(['build/out.txt', 'build/deep', 'builder/y.txt', 'build.txt', 'logs', ':(glob)z.log']);
    expect([...files].filter(([, entry]) => entry.gitIgnored).map(([path]) => path).sort()).toEqual([':(glob)z.log', 'build/deep/x.txt', 'build/out.txt', 'logs/a.log']);
  });

  it('answers a subfolder\'s uncommitted and ignored paths from one status, relative to the subfolder', async () => {
    const repo = await TestRepo.create({ '.gitignore': '*.env\n', 'svc/a.txt': 'a', 'svc/.gitignore': 'cache/\n', 'other/b.txt': 'b' });
    await writeTree(repo.dir, { 'svc/a.txt': 'changed', 'svc/local.env': 'S=1', 'svc/cache/c.bin': 'c', 'svc/new.txt': 'n', 'other/b.env': 'x' });
    const status = await new LocalCheckout(join(repo.dir, 'svc')).status();
    expect([...status.uncommitted].sort()).toEqual(['a.txt', 'new.txt']);
    expect(['local.env', 'cache/c.bin', 'a.txt', 'new.txt', 'cachex'].filter((path) => status.ignores(path))).toEqual(['local.env', 'cache/c.bin']);
    const files = await new LocalCheckout(join(repo.dir, 'svc')).readFiles(['local.env', 'a.txt'], status);
    expect(files.get('local.env')?.gitIgnored).toBe(true);
    expect(files.get('a.txt')?.gitIgnored).toBeUndefined();
  });

  it('refuses to read a device, a socket or a pipe', async () => {
    const repo = await TestRepo.create();
    execFileSync('mkfifo', [join(repo.dir, 'pipe')]);
    await expect(new LocalCheckout(repo.dir).readFiles(['pipe'])).rejects.toThrow(/pipe is not a regular file in this repository/);
  });
});

describe('writing an update', () => {
  it('writes files with modes and symlinks, creating folders', async () => {
    const dir = await tempDir();
    await new LocalCheckout(dir).write(
      new Map<string, FileEntry>([
        ['deep/er/run.sh', { content: Buffer.from('#!/bin/sh\n'), mode: '100755' }],
        ['deep/plain.txt', regular('x')],
        ['deep/link', { content: Buffer.from('plain.txt'), mode: '120000' }],
      ]),
      [],
    );
    expect((await stat(join(dir, 'deep/er/run.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, 'deep/plain.txt'))).mode & 0o777).toBe(0o644);
    expect(await readlink(join(dir, 'deep/link'))).toBe('plain.txt');
  });

  it('replaces a symlink by a file and a file by a symlink, never writing through the link', async () => {
    const repo = await TestRepo.create({ 'target.txt': 'keep me', 'was-link': { symlink: 'target.txt' }, 'was-file': 'f' });
    await new LocalCheckout(repo.dir).write(new Map<string, FileEntry>([['was-link', regular('now a file')], ['was-file', { content: Buffer.from('target.txt'), mode: '120000' }]]), []);
    expect((await lstat(join(repo.dir, 'was-link'))).isSymbolicLink()).toBe(false);
    expect(await repo.read('was-link')).toBe('now a file');
    expect(await repo.read('target.txt')).toBe('keep me');
    expect(await readlink(join(repo.dir, 'was-file'))).toBe('target.txt');
  });

  it('removes deleted files and the folders they leave empty, but no other folders', async () => {
    const repo = await TestRepo.create({ 'a/b/c/gone.txt': 'x', 'a/kept.txt': 'k' });
    await new LocalCheckout(repo.dir).write(new Map(), ['a/b/c/gone.txt']);
    await expect(stat(join(repo.dir, 'a/b'))).rejects.toThrow();
    expect(await repo.read('a/kept.txt')).toBe('k');
  });

  it('refuses to write through a symlinked folder, writing nothing at all', async () => {
    const outside = await tempDir('td-outside-');
    const repo = await TestRepo.create({ 'escape': { symlink: outside } });
    const checkout = new LocalCheckout(repo.dir);
    const attempt = checkout.write(new Map<string, FileEntry>([['first.txt', regular('1')], ['escape/evil.txt', regular('x')]]), []);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(/Refusing to write escape\/evil\.txt: escape is a symlink in this repository/);
    await expect(readFile(join(outside, 'evil.txt'))).rejects.toThrow();
    await expect(readFile(join(repo.dir, 'first.txt'))).rejects.toThrow();
  });

  it('refuses to write below a path that is a file', async () => {
    const repo = await TestRepo.create({ 'config': 'a file' });
    await expect(new LocalCheckout(repo.dir).write(new Map<string, FileEntry>([['config/app.yml', regular('x')]]), [])).rejects.toThrow(/config is a file in this repository/);
    expect(await repo.read('config')).toBe('a file');
  });
});

describe('writing as a transaction', () => {
  const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

  it('deletes before it writes, so a file becomes a folder and a folder a file', async () => {
    const repo = await TestRepo.create({ 'x': 'file x\n', 'd/inner.txt': 'in d\n', 'd/deeper/more.txt': 'more\n' });
    await new LocalCheckout(repo.dir).write(new Map([['x/y', regular('now beneath x\n')], ['d', regular('d is a file\n')]]), ['x', 'd/inner.txt', 'd/deeper/more.txt']);
    expect(await repo.read('x/y')).toBe('now beneath x\n');
    expect(await repo.read('d')).toBe('d is a file\n');
  });

  it('replaces a symlink (even a dangling one, or one to outside) by a folder when the update deletes it first', async () => {
    const outside = await tempDir('td-outside-');
    const repo = await TestRepo.create({ 'gone': { symlink: 'missing' }, 'away': { symlink: outside } });
    await new LocalCheckout(repo.dir).write(new Map([['gone/c.txt', regular('c\n')], ['away/d.txt', regular('d\n')]]), ['gone', 'away']);
    expect(await repo.read('gone/c.txt')).toBe('c\n');
    expect((await lstat(join(repo.dir, 'away'))).isDirectory()).toBe(true);
    expect(await readdir(outside)).toEqual([]);
  });

  it('keeps a file\'s own permissions when its content changes; only the executable bit is the template\'s', async () => {
    const repo = await TestRepo.create({ 'private.cfg': 'a\n', 'shared.cfg': 'b\n', 'tool': 'c\n' });
    await chmod(join(repo.dir, 'private.cfg'), 0o640);
    await chmod(join(repo.dir, 'shared.cfg'), 0o664);
    await chmod(join(repo.dir, 'tool'), 0o640);
    await new LocalCheckout(repo.dir).write(new Map<string, FileEntry>([
      ['private.cfg', regular('a2\n')], ['shared.cfg', regular('b2\n')], ['tool', { content: Buffer.from('#!/bin/sh\n'), mode: '100755' }],
    ]), []);
    expect(await modeOf(join(repo.dir, 'private.cfg'))).toBe(0o640);
    expect(await modeOf(join(repo.dir, 'shared.cfg'))).toBe(0o664);
    expect(await modeOf(join(repo.dir, 'tool'))).toBe(0o750);
    expect(await repo.read('private.cfg')).toBe('a2\n');
  });

  it('refuses a name longer than filesystems allow before writing anything', async () => {
    const repo = await TestRepo.create({ 'kept.txt': 'k\n' });
    const long = `${'n'.repeat(256)}.txt`;
    const attempt = new LocalCheckout(repo.dir).write(new Map([['kept.txt', regular('changed\n')], [`dir/${long}`, regular('x')]]), []);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(/is 260 bytes, more than the 255 filesystems allow; nothing was written/);
    expect(await repo.read('kept.txt')).toBe('k\n');
    await expect(stat(join(repo.dir, 'dir'))).rejects.toThrow();
  });

  it('leaves no folder behind when it made the folder and then refused the writes', async () => {
    const parent = await tempDir();
    const attempt = new LocalCheckout(join(parent, 'new/service')).write(new Map([[`${'n'.repeat(300)}.txt`, regular('x')]]), []);
    await expect(attempt).rejects.toThrow(/more than the 255 filesystems allow/);
    expect(await readdir(parent)).toEqual([]);
  });

  it('refuses to replace a folder that still holds other files', async () => {
    const repo = await TestRepo.create({ 'd/mine.txt': 'mine\n', 'd/theirs.txt': 't\n' });
    const attempt = new LocalCheckout(repo.dir).write(new Map([['d', regular('file\n')]]), ['d/theirs.txt']);
    await expect(attempt).rejects.toThrow(/Refusing to write d: it is a folder here that still holds d\/mine\.txt/);
    expect(await repo.read('d/theirs.txt')).toBe('t\n');
  });
});
