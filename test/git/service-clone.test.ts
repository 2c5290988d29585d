import { describe, expect, it } from 'vitest';
import { planUpdate, planWrites } from '../../src/engine/plan-update.js';
import { GitMergeFile } from '../../src/git/git-merge-file.js';
import { ServiceClone } from '../../src/git/service-clone.js';
import { BareRepo } from '../support/service-fleet.js';
import { git, TestRepo } from '../support/temp-repo.js';
import { fileMap } from '../engine/file-maps.js';
import { gitLogShim } from '../support/git-log-shim.js';

const committer = { name: 'Bot', email: 'bot@example.com' };

async function cloneOf(tree: Parameters<typeof TestRepo.create>[0]): Promise<{ clone: ServiceClone; bare: BareRepo }> {
  const work = await TestRepo.create(tree);
  const bare = await BareRepo.from(work.dir);
  return { clone: await ServiceClone.open({ cloneUrl: bare.url, branch: 'main', committer }), bare };
}

/** Every path of a commit with its mode and bytes, as `git ls-tree -r` and `git show` give them. */
async function treeOf(clone: ServiceClone, sha: string): Promise<Record<string, string>> {
  const listing = await git(clone.dir, 'ls-tree', '-r', sha);
  const files: Record<string, string> = {};
  for (const line of listing.trim().split('\n')) {
    const [info = '', path = ''] = line.split('\t');
    const [mode, , blob] = info.split(' ');
    files[path] = `${mode} ${await git(clone.dir, 'cat-file', 'blob', blob!)}`;
  }
  return files;
}

describe('the app\'s clone of a service', () => {
  it('reads what stands in the way: a file where a folder is needed, the files of a folder where a file is', async () => {
    const { clone } = await cloneOf({ 'x': 'a file\n', 'd/in': 'in\n', 'd/deep/mine': 'mine\n', 'other.txt': 'o\n' });
    try {
      const files = await clone.readFiles(['x/y', 'd', 'd/in'], []);
      expect(Object.fromEntries([...files].map(([path, entry]) => [path, entry.content.toString()]))).toEqual({
        'x': 'a file\n', 'd/in': 'in\n', 'd/deep/mine': 'mine\n',
      });
    } finally {
      await clone.dispose();
    }
  });

  it('commits a file that becomes a folder and a folder that becomes a file', async () => {
    const base = fileMap({ 'x': 'file x\n', 'd/in': 'in\n', 'keep': 'k\n' });
    const theirs = fileMap({ 'x/y': 'y\n', 'd': 'd file\n', 'keep': 'k\n' });
    const { clone } = await cloneOf({ 'x': 'file x\n', 'd/in': 'in\n', 'keep': 'k\n', 'own.txt': 'own\n' });
    try {
      const ours = await clone.readFiles(['d', 'd/in', 'keep', 'x', 'x/y'], [base, theirs]);
      const changes = await planUpdate({ base, theirs, ours, policyOf: () => 'merge', merger: new GitMergeFile(), labels: { ours: 'o', base: 'b', theirs: 't' } });
      const { writes, deletes } = planWrites(changes);
      const { sha } = await clone.commit(writes, deletes, 'Update');
      expect(await treeOf(clone, sha)).toEqual({ 'd': '100644 d file\n', 'keep': '100644 k\n', 'own.txt': '100644 own\n', 'x/y': '100644 y\n' });
    } finally {
      await clone.dispose();
    }
  });

  it('plans one conflict for a folder on the branch that holds other files, and commits the rest', async () => {
    const base = fileMap({ 'd/in': 'in\n', 'a': '1\n' });
    const theirs = fileMap({ 'd': 'd file\n', 'a': '2\n' });
    const { clone } = await cloneOf({ 'd/in': 'in\n', 'd/mine': 'mine\n', 'a': '1\n' });
    try {
      const ours = await clone.readFiles(['a', 'd', 'd/in'], [base, theirs]);
      const changes = await planUpdate({ base, theirs, ours, policyOf: () => 'merge', merger: new GitMergeFile(), labels: { ours: 'o', base: 'b', theirs: 't' } });
      expect(changes.filter((c) => c.conflict).map((c) => c.path)).toEqual(['d']);
      const { writes, deletes } = planWrites(changes);
      const { sha } = await clone.commit(writes, deletes, 'Update');
      expect(await treeOf(clone, sha)).toEqual({ 'a': '100644 2\n', 'd/mine': '100644 mine\n' });
    } finally {
      await clone.dispose();
    }
  });

  it('downloads only the blobs it cannot tell from known bytes, in one fetch, and reads them in one cat-file --batch', async () => {
    const { clone } = await cloneOf({ 'same.txt': 'as rendered\n', 'a.txt': 'drifted a\n', 'b.txt': 'drifted b\n', 'c/d.txt': 'drifted d\n', '.github/template-drift.yml': 'template: t\n' });
    const shim = await gitLogShim();
    shim.install();
    try {
      await shim.reset();
      const files = await clone.readFiles(['same.txt', 'a.txt', 'b.txt', 'c'], [fileMap({ 'same.txt': 'as rendered\n', 'a.txt': 'template a\n' })]);
      expect(Object.fromEntries([...files].map(([path, entry]) => [path, entry.content.toString()]))).toEqual({
        'same.txt': 'as rendered\n', 'a.txt': 'drifted a\n', 'b.txt': 'drifted b\n', 'c/d.txt': 'drifted d\n',
      });
      const ran = await shim.commands();
      expect(ran.filter((command) => / fetch /.test(` ${command} `))).toHaveLength(1);
      expect(ran.filter((command) => command.startsWith('cat-file'))).toEqual(['cat-file --batch']);
      // A text already read (the answers file through the API) stands in for the same blob: nothing is downloaded.
      await shim.reset();
      expect(await clone.readText('.github/template-drift.yml', ['template: t\n'])).toBe('template: t\n');
      expect((await shim.commands()).filter((command) => / fetch |^cat-file/.test(` ${command}`))).toEqual([]);
      expect(await clone.readText('.github/template-drift.yml', ['template: other\n'])).toBe('template: t\n');
    } finally {
      shim.restore();
      await clone.dispose();
    }
  });
});
