import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planUpdate } from '../../src/engine/plan-update.js';
import { GitMergeFile } from '../../src/git/git-merge-file.js';
import { tempDir } from '../support/temp-repo.js';

const labels = { ours: 'repository', base: 'template v1.0.0', theirs: 'template v1.1.0' };

/** What git itself says the merge is: `git merge-file -p`, run directly. */
async function gitMergeFile(ours: Buffer, base: Buffer, theirs: Buffer): Promise<{ content: Buffer; conflicts: number }> {
  const dir = await tempDir('td-merge-oracle-');
  await Promise.all([writeFile(join(dir, 'ours'), ours), writeFile(join(dir, 'base'), base), writeFile(join(dir, 'theirs'), theirs)]);
  const result = spawnSync('git', ['merge-file', '-p', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, 'ours', 'base', 'theirs'], { cwd: dir });
  if (result.status === null || result.status < 0 || result.status > 127) throw new Error(`git merge-file failed: ${String(result.stderr)}`);
  return { content: result.stdout, conflicts: result.status };
}

/** A small seeded generator, so the "random" cases are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function edit(lines: string[], next: () => number): string[] {
  const result = [...lines];
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (result.length + 1));
    const kind = next();
    if (kind < 0.4 && result.length > 0) result[Math.min(at, result.length - 1)] = `changed ${Math.floor(next() * 100)}`;
    else if (kind < 0.7) result.splice(at, 0, `inserted ${Math.floor(next() * 100)}`);
    else result.splice(at, 1);
  }
  return result;
}

function generatedCases(count: number): [string, string, string, string][] {
  const next = random(20240611);
  const cases: [string, string, string, string][] = [];
  for (let n = 0; n < count; n++) {
    const eol = n % 4 === 3 ? '\r\n' : '\n';
    const base = Array.from({ length: 4 + Math.floor(next() * 8) }, (_, i) => `line ${i}`);
    const join = (lines: string[]) => lines.join(eol) + (n % 5 === 4 ? '' : eol);
    cases.push([`generated #${n}`, join(base), join(edit(base, next)), join(edit(base, next))]);
  }
  return cases;
}

type Side = string | Buffer;
const latin1 = (text: string) => Buffer.from(text, 'latin1');

const handPicked: [string, Side, Side, Side][] = [
  ['edits far apart', 'a\nb\nc\nd\ne\nf\ng\n', 'A\nb\nc\nd\ne\nf\ng\n', 'a\nb\nc\nd\ne\nf\nG\n'],
  ['the same line changed differently', 'port: 80\n', 'port: 8080\n', 'port: 8000\n'],
  ['adjacent lines changed', 'a\nb\nc\n', 'a\nB\nc\n', 'a\nb\nC\n'],
  ['an insertion against a deletion', 'a\nb\nc\nd\n', 'a\nb\nnew\nc\nd\n', 'a\nc\nd\n'],
  ['CRLF on every side', 'a\r\nb\r\nc\r\nd\r\ne\r\n', 'A\r\nb\r\nc\r\nd\r\ne\r\n', 'a\r\nb\r\nc\r\nd\r\nE\r\n'],
  ['CRLF with a conflict', 'a\r\nb\r\n', 'a\r\nX\r\n', 'a\r\nY\r\n'],
  ['no final newline anywhere', 'a\nb\nc\nd', 'A\nb\nc\nd', 'a\nb\nc\nD'],
  ['a final newline added by one side', 'a\nb\nc\nd', 'a\nb\nc\nd\n', 'A\nb\nc\nd'],
  ['an empty base (added on both sides)', '', 'x\ny\n', 'x\nz\n'],
  ['emptied by the template', 'a\nb\n', '', 'a\nb\nc\n'],
  ['non-ASCII text', 'naïve\ncafé\nend\n', 'naïve\ncafé ☕\nend\n', 'NAÏVE\ncafé\nend\n'],
  ['Latin-1 bytes that are not UTF-8', latin1('caf\xe9\nb\nc\nd\n'), latin1('caf\xe9\nb\nc\nD\n'), latin1('CAF\xe9\nb\nc\nd\n')],
];

describe('the merge policy agrees with git merge-file', () => {
  it.each([...handPicked, ...generatedCases(16)])('for %s', async (_name, baseText, oursText, theirsText) => {
    const bytes = (side: Side) => Buffer.from(side);
    const [base, ours, theirs] = [bytes(baseText), bytes(oursText), bytes(theirsText)];
    const expected = await gitMergeFile(ours, base, theirs);

    const mode = '100644' as const;
    const changes = await planUpdate({
      base: new Map([['f.txt', { content: base, mode }]]),
      theirs: new Map([['f.txt', { content: theirs, mode }]]),
      ours: new Map([['f.txt', { content: ours, mode }]]),
      policyOf: () => 'merge',
      merger: new GitMergeFile(),
      labels,
    });

    const change = changes.find((c) => c.path === 'f.txt');
    const result = change?.after?.content ?? ours; // no change planned: the file stays as it is
    expect(result.toString('latin1')).toBe(expected.content.toString('latin1'));
    expect(result.equals(expected.content)).toBe(true);
    expect(change?.conflict ?? false).toBe(expected.conflicts > 0);
  });
});

describe('GitMergeFile', () => {
  it('returns the merged bytes and says when conflict markers were written', async () => {
    const merger = new GitMergeFile();
    const clean = await merger.merge(Buffer.from('A\nb\nc\nd\ne\n'), Buffer.from('a\nb\nc\nd\ne\n'), Buffer.from('a\nb\nc\nd\ne\nf\n'), labels);
    expect(clean).toMatchObject({ conflicted: false });
    expect(clean.content.toString()).toBe('A\nb\nc\nd\ne\nf\n');

    const conflicted = await merger.merge(Buffer.from('1\n'), Buffer.from('0\n'), Buffer.from('2\n'), labels);
    expect(conflicted.conflicted).toBe(true);
    expect(conflicted.content.toString()).toBe(`<<<<<<< ${labels.ours}\n1\n=======\n2\n>>>>>>> ${labels.theirs}\n`);
  });

  it('counts several conflicts as conflicted (exit codes above 1 are answers too)', async () => {
    const merger = new GitMergeFile();
    const base = 'a\n1\n2\n3\n4\n5\nb\n';
    const result = await merger.merge(Buffer.from(base.replace('a', 'A1').replace('b', 'B1')), Buffer.from(base), Buffer.from(base.replace('a', 'A2').replace('b', 'B2')), labels);
    expect(result.conflicted).toBe(true);
    expect(result.content.toString().match(/^<<<<<<< /gm)).toHaveLength(2);
  });
});
