import { describe, expect, it } from 'vitest';
import type { FilePolicy } from '../../src/engine/file-rules.js';
import { planUpdate, type PlannedChange } from '../../src/engine/plan-update.js';
import { GitMergeFile } from '../../src/git/git-merge-file.js';
import { BINARY, fileMap, type EntrySpec } from './file-maps.js';

type Tree = Record<string, EntrySpec>;
const labels = { ours: 'repository', base: 'template v1', theirs: 'template v2' };
const merger = new GitMergeFile();

/** Plans one update where every path has `policy`, and returns the change for each path. */
async function plan(policy: FilePolicy, base: Tree, theirs: Tree, ours: Tree): Promise<Map<string, PlannedChange>> {
  const changes = await planUpdate({ base: fileMap(base), theirs: fileMap(theirs), ours: fileMap(ours), policyOf: () => policy, merger, labels });
  return new Map(changes.map((change) => [change.path, change]));
}

async function planOne(policy: FilePolicy, base: EntrySpec | undefined, theirs: EntrySpec | undefined, ours: EntrySpec | undefined) {
  const tree = (spec: EntrySpec | undefined): Tree => (spec === undefined ? {} : { f: spec });
  return (await plan(policy, tree(base), tree(theirs), tree(ours))).get('f');
}

const text = (change: PlannedChange | undefined) => change?.after?.content.toString();
const exe = (content: string): EntrySpec => ({ content, mode: '100755' });

describe('merge files (the default policy)', () => {
  it('take the template change when the repository did not touch the file', async () => {
    const changes = await plan('merge', { a: '1\n', gone: 'x\n' }, { a: '2\n', added: 'new\n' }, { a: '1\n', gone: 'x\n' });
    expect([...changes.values()].map((c) => [c.path, c.action, c.conflict])).toEqual([
      ['a', 'update', false],
      ['added', 'add', false],
      ['gone', 'delete', false],
    ]);
    expect(text(changes.get('a'))).toBe('2\n');
    expect(changes.get('gone')?.after).toBeUndefined();
  });

  it('keep local edits when the template did not change the file', async () => {
    expect(await planOne('merge', 'a\n', 'a\n', 'a local\n')).toBeUndefined();
  });

  it('stay deleted when the repository deleted a file the template did not change', async () => {
    expect(await planOne('merge', 'a\n', 'a\n', undefined)).toBeUndefined();
  });

  it('merge edits to different lines from both sides', async () => {
    const change = await planOne('merge', 'a\nb\nc\nd\ne\n', 'A\nb\nc\nd\ne\n', 'a\nb\nc\nd\nE\n');
    expect(change).toMatchObject({ action: 'update', outcome: 'merged', conflict: false });
    expect(text(change)).toBe('A\nb\nc\nd\nE\n');
  });

  it('write conflict markers when both sides changed the same lines', async () => {
    const change = await planOne('merge', 'x = 1\n', 'x = 2\n', 'x = 3\n');
    expect(change).toMatchObject({ action: 'update', outcome: 'conflict-markers', conflict: true });
    expect(text(change)).toBe('<<<<<<< repository\nx = 3\n=======\nx = 2\n>>>>>>> template v2\n');
  });

  it('change nothing when both sides made the same change', async () => {
    expect(await planOne('merge', 'old\n', 'new\n', 'new\n')).toBeUndefined();
  });

  it('report a conflict and keep the local file when the template deleted a locally changed file', async () => {
    const change = await planOne('merge', 'a\n', undefined, 'a changed\n');
    expect(change).toMatchObject({ action: 'keep', templateAction: 'delete', outcome: 'kept-local', conflict: true });
    expect(change?.after).toBeUndefined();
    expect(change?.theirs).toBeUndefined();
  });

  it('report a conflict and write nothing when the template changed a locally deleted file', async () => {
    const change = await planOne('merge', 'a\n', 'b\n', undefined);
    expect(change).toMatchObject({ action: 'keep', templateAction: 'update', outcome: 'kept-local', conflict: true });
    expect(change?.after).toBeUndefined();
    expect(change?.theirs?.content.toString()).toBe('b\n');
  });

  it('report a conflict and keep the local bytes when a binary changed on both sides', async () => {
    const ours = Buffer.concat([BINARY, Buffer.from('ours')]);
    const theirs = { content: Buffer.concat([BINARY, Buffer.from('theirs')]), mode: '100755' as const };
    const change = await planOne('merge', BINARY, theirs, ours);
    expect(change).toMatchObject({ action: 'keep', outcome: 'kept-local', conflict: true });
    expect(change?.after).toBeUndefined();
    expect(change?.theirs).toEqual(theirs);
  });

  it('take a binary the template changed when the repository did not', async () => {
    const theirs = Buffer.concat([BINARY, Buffer.from('v2')]);
    const change = await planOne('merge', BINARY, theirs, BINARY);
    expect(change?.after?.content.equals(theirs)).toBe(true);
  });

  it('merge both sides of a file added by both with different content as a conflict', async () => {
    const change = await planOne('merge', undefined, 'template\n', 'local\n');
    expect(change).toMatchObject({ action: 'update', conflict: true });
    expect(text(change)).toContain('<<<<<<< repository');
  });

  it('keep CRLF line endings through a merge', async () => {
    const change = await planOne('merge', 'a\r\nb\r\nc\r\nd\r\n', 'A\r\nb\r\nc\r\nd\r\n', 'a\r\nb\r\nc\r\nD\r\n');
    expect(text(change)).toBe('A\r\nb\r\nc\r\nD\r\n');
  });

  it('keep a missing final newline through a merge', async () => {
    const change = await planOne('merge', 'a\nb\nc\nd', 'A\nb\nc\nd', 'a\nb\nc\nD');
    expect(text(change)).toBe('A\nb\nc\nD');
  });

  it('take the executable bit the template added while merging local edits', async () => {
    const change = await planOne('merge', 'a\nb\nc\nd\n', exe('A\nb\nc\nd\n'), 'a\nb\nc\nD\n');
    expect(change?.after).toMatchObject({ mode: '100755' });
    expect(text(change)).toBe('A\nb\nc\nD\n');
  });

  it('keep an executable bit the repository added when the template changes the text', async () => {
    const change = await planOne('merge', 'a\n', 'b\n', exe('a\n'));
    expect(change?.after).toMatchObject({ mode: '100755' });
    expect(text(change)).toBe('b\n');
  });
});

describe('enforced files', () => {
  it('become exactly the template file, replacing local edits', async () => {
    const change = await planOne('enforce', 'FROM a\n', 'FROM b\n', 'FROM a\nRUN local\n');
    expect(change).toMatchObject({ action: 'update', conflict: false });
    expect(text(change)).toBe('FROM b\n');
  });

  it('are repaired when they drifted, even when the template did not change', async () => {
    const change = await planOne('enforce', exe('run\n'), exe('run\n'), 'run edited\n');
    expect(change).toMatchObject({ action: 'update', conflict: false });
    expect(change?.after).toMatchObject({ mode: '100755' });
    expect(text(change)).toBe('run\n');
  });

  it('get their mode back when only the mode drifted', async () => {
    const change = await planOne('enforce', exe('x\n'), exe('x\n'), 'x\n');
    expect(change?.after?.mode).toBe('100755');
  });

  it('are added back when the repository deleted them', async () => {
    expect(await planOne('enforce', 'x\n', 'x\n', undefined)).toMatchObject({ action: 'add' });
  });

  it('are deleted when the template deleted them, local edits or not', async () => {
    expect(await planOne('enforce', 'x\n', undefined, 'x edited\n')).toMatchObject({ action: 'delete', conflict: false });
  });

  it('change nothing when the repository already matches', async () => {
    expect(await planOne('enforce', 'x\n', 'y\n', 'y\n')).toBeUndefined();
  });
});

describe('scaffold files', () => {
  it('are added when the template newly adds one the repository lacks', async () => {
    expect(await planOne('scaffold', undefined, 'new\n', undefined)).toMatchObject({ action: 'add', conflict: false });
  });

  it('are not overwritten when the repository already has that path', async () => {
    const change = await planOne('scaffold', undefined, 'template\n', 'mine\n');
    expect(change?.action ?? 'keep').toBe('keep');
    expect(change?.after).toBeUndefined();
  });

  it('are never changed after creation, whatever the template does', async () => {
    for (const change of [await planOne('scaffold', 'v1\n', 'v2\n', 'mine\n'), await planOne('scaffold', 'v1\n', 'v2\n', 'v1\n')]) {
      expect(change?.action ?? 'keep').toBe('keep');
      expect(change?.conflict ?? false).toBe(false);
    }
  });

  it('are never deleted, and not recreated once the repository deleted them', async () => {
    expect((await planOne('scaffold', 'v1\n', undefined, 'v1\n'))?.action ?? 'keep').toBe('keep');
    expect(await planOne('scaffold', 'v1\n', 'v2\n', undefined)).toBeUndefined();
  });
});

describe('ignored and excluded paths', () => {
  it('are left alone whatever the template does', async () => {
    for (const policy of ['ignore', 'exclude'] as const) {
      const changes = await plan(policy, { a: '1\n', b: '1\n' }, { a: '2\n', c: 'new\n' }, { a: '1\n', b: '1\n' });
      for (const change of changes.values()) {
        expect(change).toMatchObject({ action: 'keep', conflict: false });
      }
    }
  });
});

describe('files and folders', () => {
  it('turn into each other cleanly when the repository did not change them', async () => {
    const changes = await plan('merge', { 'x': 'file\n', 'd/in': 'in\n' }, { 'x/y': 'y\n', 'd': 'file\n' }, { 'x': 'file\n', 'd/in': 'in\n' });
    expect([...changes.values()].map((c) => [c.path, c.action, c.conflict])).toEqual([
      ['d', 'add', false],
      ['d/in', 'delete', false],
      ['x', 'delete', false],
      ['x/y', 'add', false],
    ]);
  });

  it('make a repository file or symlink where the template wants a folder one conflict, leaving the rest', async () => {
    const link: EntrySpec = { content: '/somewhere/else', mode: '120000' };
    const changes = await plan('merge', { 'x': 'file\n', 'a': '1\n' }, { 'x/y': 'y\n', 'x/z': 'z\n', 'own/f': 'f\n', 'a': '2\n' }, { 'x': 'edited\n', 'own': link, 'a': '1\n' });
    expect([...changes.values()].map((c) => [c.path, c.action, c.conflict])).toEqual([
      ['a', 'update', false],
      ['own', 'keep', true],
      ['x', 'keep', true],
    ]);
    expect(changes.get('x')?.reason).toBe('deleted by the template but changed in this repository; the template now has a folder here (x/y, x/z), but this repository keeps a file: the template\'s files beneath it are not written');
    expect(changes.get('own')?.reason).toMatch(/^the template now has a folder here \(own\/f\), but this repository keeps a symlink/);
    expect(changes.get('own')?.before?.mode).toBe('120000');
  });

  it('make a repository folder that keeps other files where the template wants a file one conflict', async () => {
    const changes = await plan('enforce', { 'd/in': 'in\n' }, { 'd': 'file\n' }, { 'd/in': 'in\n', 'd/mine': 'mine\n' });
    expect([...changes.values()].map((c) => [c.path, c.action, c.conflict])).toEqual([
      ['d', 'keep', true],
      ['d/in', 'delete', false],
    ]);
    expect(changes.get('d')?.reason).toMatch(/keeps files in this folder \(d\/mine\)/);
  });
});

describe('git-ignored local files', () => {
  it('are never overwritten or deleted: kept and reported as a conflict', async () => {
    const ignored = (content: string) => ({ ...fileMap({ f: content }).get('f')!, gitIgnored: true as const });
    for (const policy of ['merge', 'enforce'] as const) {
      const changes = await planUpdate({
        base: fileMap({ gone: 'old\n' }), theirs: fileMap({ '.env': 'T=1\n' }),
        ours: new Map([['.env', ignored('MINE=1\n')], ['gone', ignored('old\n')]]), policyOf: () => policy, merger, labels,
      });
      expect(changes.map((c) => [c.path, c.action, c.conflict, c.outcome])).toEqual([
        ['.env', 'keep', true, 'kept-local'],
        ['gone', 'keep', true, 'kept-local'],
      ]);
      expect(changes[0]?.reason).toMatch(/git-ignored in this repository/);
    }
  });
});
