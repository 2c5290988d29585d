import { spawnSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FileEntry, FileMap } from '../../src/engine/file-map.js';
import type { FilePolicy } from '../../src/engine/file-rules.js';
import { managedPaths, planUpdate, planWrites, type PlannedChange } from '../../src/engine/plan-update.js';
import { UserError } from '../../src/engine/user-error.js';
import { GitMergeFile } from '../../src/git/git-merge-file.js';
import { LocalCheckout } from '../../src/git/local-checkout.js';
import { git, tempDir, writeTree, type Tree } from '../support/temp-repo.js';

/**
 * Property-based tests of a whole update on real repositories: random template versions (base
 * and target) and random local edits, with symlinks, files that become folders and back,
 * binary files, CRLF and missing final newlines, git-ignored local files and a folder symlinked
 * outside the repository. Each run makes a real git repository, plans with git merge-file and
 * writes through LocalCheckout; the runs are few so the suite stays quick.
 */

const labels = { ours: 'repository', base: 'template v1', theirs: 'template v2' };
const merger = new GitMergeFile();
const OUTSIDE = '<outside>'; // a symlink target replaced by the run's folder outside the repository

// Paths that overlap as files and folders: `dir` and `dir/c.txt`, `x` and `x/y`.
const POOL = ['a.txt', 'b.txt', 'dir', 'dir/c.txt', 'dir/sub/d.txt', 'x', 'x/y', 'x/z.bin', 'logo.bin', 'link', '.env'];

type Spec = { kind: 'text'; lines: string[]; crlf: boolean; finalNewline: boolean; executable: boolean } | { kind: 'binary'; bytes: number[] } | { kind: 'link'; target: string };
type Version = Record<string, Spec>;

const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta');
const textSpec = fc.record({
  kind: fc.constant('text' as const),
  lines: fc.array(word, { minLength: 0, maxLength: 7 }),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  executable: fc.constantFrom(false, false, false, true),
});
const binarySpec = fc.record({ kind: fc.constant('binary' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }) });
const linkSpec = fc.record({ kind: fc.constant('link' as const), target: fc.constantFrom('a.txt', 'dir/c.txt', 'missing') });
const anySpec: fc.Arbitrary<Spec> = fc.oneof({ weight: 6, arbitrary: textSpec }, { weight: 1, arbitrary: binarySpec }, { weight: 1, arbitrary: linkSpec });

/** Line edits as people and templates make them: change, insert or remove a line. */
const lineEdits = fc.array(fc.record({ op: fc.constantFrom('set', 'insert', 'remove'), at: fc.nat(8), word }), { minLength: 1, maxLength: 3 });

function edit(spec: Spec, edits: { op: string; at: number; word: string }[]): Spec {
  if (spec.kind !== 'text') return spec;
  const lines = [...spec.lines];
  for (const { op, at, word: w } of edits) {
    const i = lines.length === 0 ? 0 : at % (lines.length + (op === 'insert' ? 1 : 0));
    if (op === 'set' && lines.length > 0) lines[i] = `${w}!`;
    else if (op === 'insert') lines.splice(i, 0, w);
    else lines.splice(i, 1);
  }
  return { ...spec, lines };
}

/** Drops every path beneath another path of the version: a version is a tree. */
function asTree(version: Version): Version {
  const paths = Object.keys(version).sort();
  return Object.fromEntries(paths.filter((path) => !paths.some((other) => path.startsWith(`${other}/`))).map((path) => [path, version[path]!]));
}

const baseVersion: fc.Arbitrary<Version> = fc.dictionary(fc.constantFrom(...POOL), anySpec, { maxKeys: 8 }).map(asTree);

/** A later version of `version`: each file kept, edited, replaced or deleted, and some added. */
function evolved(version: Version, keepWeight: number): fc.Arbitrary<Version> {
  const paths = Object.keys(version);
  const fate = fc.oneof(
    { weight: keepWeight, arbitrary: fc.constant({ fate: 'keep' as const }) },
    { weight: 3, arbitrary: lineEdits.map((edits) => ({ fate: 'edit' as const, edits })) },
    { weight: 1, arbitrary: fc.constant({ fate: 'delete' as const }) },
    { weight: 1, arbitrary: anySpec.map((spec) => ({ fate: 'replace' as const, spec })) },
  );
  return fc.tuple(fc.tuple(...paths.map(() => fate)), fc.dictionary(fc.constantFrom(...POOL), anySpec, { maxKeys: 3 })).map(([fates, added]) => {
    const next: Version = { ...added };
    paths.forEach((path, i) => {
      const f = fates[i]!;
      if (f.fate === 'keep') next[path] = version[path]!;
      else if (f.fate === 'edit') next[path] = edit(version[path]!, f.edits);
      else if (f.fate === 'replace') next[path] = f.spec;
      else delete next[path];
    });
    return asTree(next);
  });
}

/** Turns some files into folders and folders into files, keeping their content: `x` ↔ `x/y`. */
function reshaped(version: Version): fc.Arbitrary<Version> {
  return fc.subarray([['x', 'x/y'], ['dir', 'dir/c.txt']] as const).map((pairs) => {
    const next = { ...version };
    for (const [file, inner] of pairs) {
      const [from, to] = next[file] ? [file, inner] : [inner, file];
      if (!next[from] || Object.keys(next).some((path) => path !== from && path.startsWith(`${file}/`))) continue;
      next[to] = next[from];
      delete next[from];
    }
    return asTree(next);
  });
}

interface Scenario {
  base: Version;
  theirs: Version;
  ours: Version;
  /** Paths (of the pool) the repository's .gitignore lists. */
  ignored: string[];
  enforced: string[];
  /** Where in the writes a write that fails on disk goes, when the run tests a failure. */
  failAt: number | undefined;
}

const scenario: fc.Arbitrary<Scenario> = baseVersion.chain((base) =>
  fc.record({
    base: fc.constant(base),
    theirs: evolved(base, 2).chain(reshaped),
    ours: evolved(base, 4).chain((ours) =>
      // Sometimes the repository makes a folder the template uses a symlink to outside it.
      fc.constantFrom(undefined, undefined, undefined, 'dir', 'x').map((linked) => (linked ? asTree({ ...ours, [linked]: { kind: 'link', target: OUTSIDE } }) : ours)),
    ),
    ignored: fc.subarray(['.env', 'b.txt', 'x/y']),
    enforced: fc.subarray(POOL, { maxLength: 3 }),
    failAt: fc.option(fc.nat(20), { nil: undefined, freq: 2 }),
  }),
);

function entryOf(spec: Spec, outside: string): FileEntry {
  if (spec.kind === 'link') return { content: Buffer.from(spec.target === OUTSIDE ? outside : spec.target), mode: '120000' };
  if (spec.kind === 'binary') return { content: Buffer.from([0, ...spec.bytes]), mode: '100644' };
  const eol = spec.crlf ? '\r\n' : '\n';
  const text = spec.lines.join(eol) + (spec.finalNewline && spec.lines.length > 0 ? eol : '');
  return { content: Buffer.from(text), mode: spec.executable ? '100755' : '100644' };
}

function fileMapOf(version: Version, outside: string): Map<string, FileEntry> {
  return new Map(Object.entries(version).map(([path, spec]) => [path, entryOf(spec, outside)]));
}

function treeOf(files: FileMap): Tree {
  return Object.fromEntries([...files].map(([path, entry]) => [
    path,
    entry.mode === '120000' ? { symlink: entry.content.toString() } : { content: entry.content, executable: entry.mode === '100755' },
  ]));
}

/** Every file under `dir` (not `.git`) with its kind, mode and bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  async function walk(folder: string, prefix: string): Promise<void> {
    for (const name of await readdir(folder)) {
      if (name === '.git') continue;
      const full = join(folder, name);
      const stats = await lstat(full);
      if (stats.isDirectory()) await walk(full, `${prefix}${name}/`);
      else if (stats.isSymbolicLink()) state[`${prefix}${name}`] = `link ${await readlink(full)}`;
      else state[`${prefix}${name}`] = `${(stats.mode & 0o777).toString(8)} ${(await readFile(full)).toString('base64')}`;
    }
  }
  await walk(dir, '');
  return state;
}

/** What git itself makes of a three-way merge: `git merge-file -p`, run directly. */
async function gitMergeFile(dir: string, ours: Buffer, base: Buffer, theirs: Buffer): Promise<Buffer> {
  await Promise.all([writeFile(join(dir, 'ours'), ours), writeFile(join(dir, 'base'), base), writeFile(join(dir, 'theirs'), theirs)]);
  const result = spawnSync('git', ['merge-file', '-p', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, 'ours', 'base', 'theirs'], { cwd: dir });
  if (result.status === null || result.status < 0 || result.status > 127) throw new Error(`git merge-file failed: ${String(result.stderr)}`);
  return result.stdout;
}

const isText = (entry: FileEntry | undefined): entry is FileEntry => entry !== undefined && entry.mode !== '120000' && !entry.content.includes(0);

async function runScenario(s: Scenario): Promise<void> {
  const sandbox = await tempDir('td-prop-');
  const scratch = await tempDir('td-prop-merge-');
  const [repoDir, outside] = ['repo', 'outside'].map((name) => join(sandbox, name)) as [string, string];
  await Promise.all([mkdir(repoDir), mkdir(outside)]);
  await writeFile(join(outside, 'canary.txt'), 'outside the repository\n');
  const base = fileMapOf(s.base, outside);
  const theirs = fileMapOf(s.theirs, outside);
  const oursFiles = fileMapOf(s.ours, outside);

  // The repository: ours committed, except the ignored paths, which stay untracked local files.
  await git(repoDir, 'init', '--quiet', '--initial-branch=main');
  await writeTree(repoDir, { ...treeOf(oursFiles), '.gitignore': s.ignored.join('\n') + '\n' });
  await git(repoDir, 'add', '--all');
  await git(repoDir, 'commit', '--quiet', '--allow-empty', '-m', 'ours');
  const policyOf = (path: string): FilePolicy => (s.enforced.includes(path) ? 'enforce' : 'merge');
  const checkout = new LocalCheckout(repoDir);

  const before = await snapshot(sandbox);
  const ours = await checkout.readFiles(managedPaths(base, theirs));
  const changes = await planUpdate({ base, theirs, ours, policyOf, merger, labels });
  const { writes, deletes } = planWrites(changes);
  const byPath = new Map<string, PlannedChange>(changes.map((change) => [change.path, change]));

  // 1. Merged text is git merge-file's, wherever both sides changed a text file.
  for (const path of managedPaths(base, theirs)) {
    const [b, o, t] = [base.get(path), ours.get(path), theirs.get(path)];
    if (policyOf(path) !== 'merge' || !isText(b) || !isText(o) || !isText(t) || o.gitIgnored) continue;
    if (o.content.equals(b.content) || t.content.equals(b.content) || o.content.equals(t.content)) continue;
    const expected = await gitMergeFile(scratch, o.content, b.content, t.content);
    expect((byPath.get(path)?.after?.content ?? o.content).toString('latin1'), path).toBe(expected.toString('latin1'));
  }

  // 2. A write that fails half-way leaves everything byte-identical: a symlink target longer
  //    than PATH_MAX is refused by the filesystem itself (ENAMETOOLONG), after other writes.
  if (s.failAt !== undefined) {
    const poisoned = [...writes];
    poisoned.splice(s.failAt % (poisoned.length + 1), 0, ['poison', { content: Buffer.from('p/'.repeat(2100)), mode: '120000' }]);
    await expect(checkout.write(new Map(poisoned), deletes)).rejects.toThrow(UserError);
    expect(await snapshot(sandbox)).toEqual(before);
  }

  // 3. The update writes exactly its plan, inside the repository, and nothing outside changes.
  await checkout.write(writes, deletes);
  const after = await snapshot(sandbox);
  const expected = { ...before };
  for (const path of deletes) delete expected[`repo/${path}`];
  for (const key of Object.keys(expected)) {
    if ([...writes.keys()].some((path) => key.startsWith(`repo/${path}/`))) delete expected[key];
  }
  for (const [path, entry] of writes) {
    const previous = before[`repo/${path}`];
    const mode = previous && !previous.startsWith('link') ? Number.parseInt(previous.split(' ')[0]!, 8) : 0o644;
    const wanted = entry.mode === '100755' ? (mode & 0o111 ? mode : mode | ((mode & 0o444) >> 2)) : mode & ~0o111;
    expected[`repo/${path}`] = entry.mode === '120000' ? `link ${entry.content.toString()}` : `${wanted.toString(8)} ${entry.content.toString('base64')}`;
  }
  expect(after).toEqual(expected);
  for (const change of changes) {
    if (change.before?.gitIgnored) expect(change.action, change.path).toBe('keep');
  }

  // 4. Once committed, updating to the same version again writes nothing.
  await git(repoDir, 'add', '--all');
  await git(repoDir, 'commit', '--quiet', '--allow-empty', '-m', 'update');
  const again = await planUpdate({ base: theirs, theirs, ours: await checkout.readFiles(managedPaths(theirs, theirs)), policyOf, merger, labels });
  const second = planWrites(again);
  expect([...second.writes.keys(), ...second.deletes]).toEqual([]);
}

describe('an update, for random template versions and local edits', () => {
  it('merges as git merge-file, writes only inside, is undone whole on failure, and is a no-op the second time', async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: Number(process.env.TEMPLATE_DRIFT_PROPERTY_RUNS ?? 15) });
  });
});
