import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileEntry, FileMap } from '../../src/engine/file-map.js';
import { gitPatch } from '../../src/git/git-patch.js';
import { LocalCheckout } from '../../src/git/local-checkout.js';
import { BINARY, fileMap } from '../engine/file-maps.js';
import { git, tempDir, TestRepo, type Tree } from '../support/temp-repo.js';

/** The files of a map as a tree on disk, to commit as the state a patch starts from. */
function asTree(files: FileMap): Tree {
  return Object.fromEntries([...files].map(([path, file]) => [path,
    file.mode === '120000' ? { symlink: file.content.toString('utf8') } : { content: file.content, executable: file.mode === '100755' }]));
}

/** Applies `patch` with `git apply` to a repository holding `before`, and reads back every path of either side. */
async function applied(before: FileMap, after: FileMap, patch: Buffer, subfolder = ''): Promise<Map<string, FileEntry>> {
  const repo = await TestRepo.create();
  const prefixed = (files: FileMap) => new Map([...files].map(([path, file]) => [`${subfolder}${path}`, file]));
  await repo.commit({ 'README.md': 'outside\n', ...asTree(prefixed(before)) }, 'before');
  const file = join(await tempDir(), 'update.patch');
  await writeFile(file, patch);
  await git(repo.dir, 'apply', '--check', file);
  await git(repo.dir, 'apply', file);
  expect(await repo.read('README.md')).toBe('outside\n');
  return new LocalCheckout(join(repo.dir, subfolder)).readFiles([...new Set([...before.keys(), ...after.keys()])]);
}

const LATIN1 = Buffer.from('caf\xe9 cr\xe8me\n', 'latin1');

const BEFORE = fileMap({
  'notes.txt': 'a\nb\nc\nd\ne\n',
  'crlf.txt': 'a\r\nb\r\nc\r\n',
  'nonl.txt': 'a\nb',
  'logo.png': BINARY,
  'run.sh': '#!/bin/sh\necho hi\n',
  'gone.txt': 'bye\n',
  'gone.bin': BINARY,
  'link': { content: 'notes.txt', mode: '120000' },
  'was-file': 'becomes a link\n',
  'latin1.txt': LATIN1,
});

const AFTER = fileMap({
  'notes.txt': 'A\nb\nc\nd\nE\n',
  'crlf.txt': 'a\r\nB\r\nc\r\n',
  'nonl.txt': 'a\nB',
  'logo.png': Buffer.concat([BINARY, Buffer.from([1, 2, 3])]),
  'run.sh': { content: '#!/bin/sh\necho hi\n', mode: '100755' },
  'link': { content: 'crlf.txt', mode: '120000' },
  'was-file': { content: 'notes.txt', mode: '120000' },
  'latin1.txt': Buffer.concat([LATIN1, Buffer.from('na\xefve\n', 'latin1')]),
  'new/deep/er/file.txt': 'new\n',
  'new/image.bin': Buffer.concat([BINARY, BINARY]),
  'new/tool.sh': { content: '#!/bin/sh\n', mode: '100755' },
  'new/link': { content: '../notes.txt', mode: '120000' },
});

describe('the patch between two sets of files', () => {
  it('applies with git apply: text, binary, modes, symlinks, deletions, new folders, CRLF, no final newline, any encoding', async () => {
    const patch = await gitPatch(BEFORE, AFTER);
    expect(await applied(BEFORE, AFTER, patch)).toEqual(AFTER);
  });

  it('reads like git diff: a/ and b/ prefixes, /dev/null for a missing side, mode lines, binary patches', async () => {
    const text = (await gitPatch(BEFORE, AFTER)).toString('latin1');
    expect(text).toContain('diff --git a/notes.txt b/notes.txt\nindex ');
    expect(text).toContain('--- a/notes.txt\n+++ b/notes.txt\n@@ -1,5 +1,5 @@\n-a\n+A\n b\n c\n d\n-e\n+E\n');
    expect(text).toContain('diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n');
    expect(text).toContain('diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n');
    expect(text).toContain('--- a/gone.txt\n+++ /dev/null\n');
    expect(text).toContain('diff --git a/new/tool.sh b/new/tool.sh\nnew file mode 100755\n');
    expect(text).toContain('--- /dev/null\n+++ b/new/tool.sh\n');
    expect(text).toMatch(/diff --git a\/logo\.png b\/logo\.png\nindex [0-9a-f]{40}\.\.[0-9a-f]{40} 100644\nGIT binary patch\n/);
    expect(text).toContain('+B\n\\ No newline at end of file');
    expect(text).not.toContain('Binary files');
  });

  it('names paths from the repository top when the files live in a subfolder', async () => {
    const before = fileMap({ 'a.txt': 'a\n', 'old.bin': BINARY });
    const after = fileMap({ 'a.txt': 'b\n', 'new/n.txt': 'n\n' });
    const patch = await gitPatch(before, after, { prefix: 'services/pay/' });
    expect(patch.toString()).toContain('diff --git a/services/pay/a.txt b/services/pay/a.txt\n');
    expect(patch.toString()).not.toMatch(/ [ab]\/a\.txt/);
    expect(await applied(before, after, patch, 'services/pay/')).toEqual(after);
  });

  it('is empty when nothing differs', async () => {
    expect((await gitPatch(new Map(), new Map())).length).toBe(0);
    expect((await gitPatch(BEFORE, new Map(BEFORE))).length).toBe(0);
  });

  it('handles a 20,000-line file rewritten on every line (quadratic for a line diff in JavaScript)', async () => {
    const lines = (tag: string) => Array.from({ length: 20_000 }, (_, i) => `${tag} line ${i} ${(i * 7919) % 10007}\n`).join('');
    const before = fileMap({ 'big.txt': lines('old') });
    const after = fileMap({ 'big.txt': lines('new') });
    const patch = await gitPatch(before, after);
    expect(patch.toString()).toContain('@@ -1,20000 +1,20000 @@');
    expect(await applied(before, after, patch)).toEqual(after);
  });
});
