import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/engine/user-error.js';
import { locateTemplate } from '../../src/git/template-location.js';
import { TemplateStore, type TemplateRepository } from '../../src/git/template-store.js';
import { git, tempDir, TestRepo } from '../support/temp-repo.js';
import { SuiteRepo, suiteTempDir } from './suite-repo.js';

const BINARY = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a, 0x00]);

interface Fixture {
  template: { dir: string; release: TestRepo['release'] };
  v1: string;
  v2: string;
  branchHead: string;
}

/** One template repository for the read-only tests: two releases, a lightweight tag, a branch. */
async function createTemplate(shared = false): Promise<Fixture> {
  const template = shared ? await SuiteRepo.create('td-store-template-') : await TestRepo.create({}, 'td-store-template-');
  const v1 = await template.release('v1.0.0', {
    'template.yml': 'name: t\n',
    'bin/run.sh': { content: '#!/bin/sh\n', executable: true },
    'logo.bin': BINARY,
    'docs/link.md': { symlink: '../README.md' },
    'README.md': 'readme\n',
    'with space/ünï.txt': 'x\n',
  });
  const v2 = await template.release('v2.0.0', { 'README.md': 'readme v2\n' });
  await git(template.dir, 'tag', 'light', v1);
  await git(template.dir, 'checkout', '--quiet', '-b', 'next');
  const branchHead = await template.commit({ 'README.md': 'next\n' });
  await git(template.dir, 'checkout', '--quiet', 'main');
  return { template, v1, v2, branchHead };
}

async function open(dir: string, cacheDir: string, progress: string[] = []): Promise<TemplateRepository> {
  const store = new TemplateStore({ cacheDir, onProgress: (message) => progress.push(message) });
  return store.open(locateTemplate(dir, { baseDir: '/' }));
}

describe('a template repository', () => {
  // Shared by these tests, which only read it.
  let fixture: Fixture;
  let repository: TemplateRepository;
  beforeAll(async () => {
    fixture = await createTemplate(true);
    repository = await open(fixture.template.dir, await suiteTempDir('td-store-cache-'));
  });

  it('lists its tags as versions', async () => {
    expect((await repository.tags()).sort()).toEqual(['light', 'v1.0.0', 'v2.0.0']);
  });

  it('resolves annotated and lightweight tags, branches and full SHAs to commits', async () => {
    expect(await repository.resolve('v1.0.0')).toEqual({ ref: 'v1.0.0', commit: fixture.v1 });
    expect(await repository.resolve('v2.0.0')).toEqual({ ref: 'v2.0.0', commit: fixture.v2 });
    expect(await repository.resolve('light')).toEqual({ ref: 'light', commit: fixture.v1 });
    expect(await repository.resolve('next')).toEqual({ ref: 'next', commit: fixture.branchHead });
    expect(await repository.resolve(fixture.v1)).toEqual({ ref: fixture.v1, commit: fixture.v1 });
  });

  it('resolves abbreviated and upper-case SHAs to the whole commit; a tag or branch of that name wins', async () => {
    expect(await repository.resolve(fixture.v2.slice(0, 7))).toEqual({ ref: fixture.v2.slice(0, 7), commit: fixture.v2 });
    expect(await repository.resolve(fixture.branchHead.toUpperCase())).toEqual({ ref: fixture.branchHead, commit: fixture.branchHead });
    expect(await repository.resolve(fixture.v1.slice(0, 12).toUpperCase())).toEqual({ ref: fixture.v1.slice(0, 12), commit: fixture.v1 });
    await expect(repository.resolve(fixture.v1.slice(0, 6))).rejects.toThrow(/has no tag or branch/);
    const blob = (await git(fixture.template.dir, 'rev-parse', 'v1.0.0:README.md')).trim();
    await expect(repository.resolve(blob.slice(0, 10))).rejects.toThrow(/has no tag, branch or commit/);
  });

  it('refuses an unknown ref, naming it', async () => {
    await expect(repository.resolve('v9.9.9')).rejects.toThrow(UserError);
    await expect(repository.resolve('v9.9.9')).rejects.toThrow(/has no tag or branch "v9\.9\.9"/);
  });

  it.each(['-v1.0.0', '--upload-pack=touch /tmp/x', 'v1..v2', 'a b', 'HEAD~1', 'v1^{}', ''])('refuses %j as a ref before git sees it', async (ref) => {
    await expect(repository.resolve(ref)).rejects.toThrow(/is not a valid git ref name/);
  });

  it('reads every file at a commit byte for byte, with modes and symlinks', async () => {
    const files = await repository.read(fixture.v1);
    expect([...files.keys()].sort()).toEqual(['README.md', 'bin/run.sh', 'docs/link.md', 'logo.bin', 'template.yml', 'with space/ünï.txt']);
    expect(files.get('bin/run.sh')).toMatchObject({ mode: '100755' });
    expect(files.get('README.md')).toMatchObject({ mode: '100644' });
    expect(files.get('docs/link.md')?.mode).toBe('120000');
    expect(files.get('docs/link.md')?.content.toString()).toBe('../README.md');
    expect(files.get('logo.bin')?.content.equals(BINARY)).toBe(true);
    expect(files.get('with space/ünï.txt')?.content.toString()).toBe('x\n');
    expect((await repository.read(fixture.v2)).get('README.md')?.content.toString()).toBe('readme v2\n');
  });

  it('refuses a commit the template does not have', async () => {
    await expect(repository.read('0'.repeat(40))).rejects.toThrow(/has no commit 0{40}/);
  });
});

describe('the template cache', () => {
  it('reads a commit it has seen without fetching, even when the template is gone', async () => {
    const { template, v1 } = await createTemplate();
    const cacheDir = await tempDir('td-store-cache-');
    const firstProgress: string[] = [];
    await (await open(template.dir, cacheDir, firstProgress)).read(v1);
    expect(firstProgress).toEqual([expect.stringMatching(/^Fetching template /)]);
    await (await open(template.dir, cacheDir, firstProgress)).tags();
    expect(firstProgress.at(-1)).toMatch(/^Listing the tags of template /);

    await rm(template.dir, { recursive: true, force: true });
    const secondProgress: string[] = [];
    const again = await open(template.dir, cacheDir, secondProgress);
    expect(await again.resolve(v1)).toEqual({ ref: v1, commit: v1 });
    expect((await again.read(v1)).get('README.md')?.content.toString()).toBe('readme\n');
    expect(secondProgress).toEqual([]);
  });

  it('fetches again only for a commit it has not seen', async () => {
    const { template, v1 } = await createTemplate();
    const cacheDir = await tempDir('td-store-cache-');
    await (await open(template.dir, cacheDir)).read(v1);
    const v3 = await template.release('v3.0.0', { 'README.md': 'v3\n' });
    const progress: string[] = [];
    const later = await open(template.dir, cacheDir, progress);
    expect((await later.read(v1)).size).toBeGreaterThan(0);
    expect(progress).toEqual([]);
    expect((await later.read((await later.resolve('v3.0.0')).commit)).get('README.md')?.content.toString()).toBe('v3\n');
    expect((await later.resolve('v3.0.0')).commit).toBe(v3);
    expect(progress).toEqual([expect.stringMatching(/^Listing the tags of template /), expect.stringMatching(/^Fetching template /)]);
  });
});

describe('template problems', () => {
  it('turns an unreachable template into one message without credentials', async () => {
    const store = new TemplateStore({ cacheDir: await tempDir('td-store-cache-'), secrets: ['s3cr3t-token'] });
    const repository = await store.open(locateTemplate('https://x-access-token:s3cr3t-token@127.0.0.1:1/o/r.git', { baseDir: '/' }));
    const failure = await repository.tags().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toMatch(/^Cannot read template https:\/\/\*\*\*@127\.0\.0\.1:1\/o\/r\.git: /);
    expect((failure as Error).message).toMatch(/unable to access/);
    expect((failure as Error).message).not.toContain('s3cr3t');
    expect((failure as Error).message).not.toContain('\n');
  });

  it("gives git's reason when a template does not exist, not its closing advice", async () => {
    const missing = join(await tempDir('td-store-missing-'), 'no-such-template');
    const repository = await open(missing, await tempDir('td-store-cache-'));
    await expect(repository.tags()).rejects.toThrow(`Cannot read template ${missing}: '${missing}' does not appear to be a git repository`);
  });

  it('refuses a template that contains a submodule', async () => {
    const template = await TestRepo.create({ 'template.yml': 'name: t\n' }, 'td-store-template-');
    const head = (await git(template.dir, 'rev-parse', 'HEAD')).trim();
    await git(template.dir, 'update-index', '--add', '--cacheinfo', `160000,${head},vendor/lib`);
    await git(template.dir, 'commit', '--quiet', '-m', 'submodule');
    const commit = (await git(template.dir, 'rev-parse', 'HEAD')).trim();
    const repository = await open(template.dir, await tempDir('td-store-cache-'));
    await expect(repository.read(commit)).rejects.toThrow(/submodule at vendor\/lib/);
  });
});

describe('a cache filled by several updates at once', () => {
  it('gives every reader the whole template, however the fetches interleave', async () => {
    const { template, v2 } = await createTemplate();
    await template.release('v3.0.0', Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`many/file-${i}.txt`, `content ${i}\n`])));
    const cacheDir = await tempDir('td-store-cache-');
    // Separate stores, as separate jobs of the app (and separate processes) have.
    const readers = await Promise.all(Array.from({ length: 6 }, () => open(template.dir, cacheDir)));
    const snapshots = await Promise.all(readers.map(async (reader) => reader.read((await reader.resolve('v3.0.0')).commit)));
    for (const files of snapshots) {
      expect(files.get('many/file-59.txt')?.content.toString()).toBe('content 59\n');
      expect(files.get('README.md')?.content.toString()).toBe('readme v2\n');
    }
    expect(v2).toMatch(/^[0-9a-f]{40}$/);
  });
});
