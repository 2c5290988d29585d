import { gitPatch } from '../src/git/git-patch.js';
import { cli, serviceRepo, templateRepo, writeTree } from './fixtures.js';
import { measure, type Figures } from './measure.js';

export const REWRITTEN_LINES = 20_000;

function lines(tag: string): string {
  return Array.from({ length: REWRITTEN_LINES }, (_, i) => `${tag} line ${i}: ${(i * 7919) % 10007}\n`).join('');
}

export interface BigRewriteFigures {
  /** The patch alone: both sides in memory, `git diff-tree` in a throwaway repository. */
  readonly patch: Figures;
  readonly patchBytes: number;
  /** `template-drift diff` end to end on a service whose template rewrote two such files (one edited locally, so merged too). */
  readonly diff: Figures;
}

/**
 * The case that made the JavaScript line diff quadratic (48 s for one file): every line of a
 * 20,000-line file rewritten. git computes the patch now.
 */
export async function bigRewriteFigures(runs: number): Promise<BigRewriteFigures> {
  const entry = (text: string) => ({ content: Buffer.from(text), mode: '100644' as const });
  const before = new Map([['big.txt', entry(lines('old'))]]);
  const after = new Map([['big.txt', entry(lines('new'))]]);
  let patchBytes = 0;
  const patch = await measure(runs, async () => (patchBytes = (await gitPatch(before, after)).length));

  const template = await templateRepo('big-rewrite',
    (dir) => writeTree(dir, { 'template.yml': 'name: big\n', 'big.txt': lines('old'), 'big-edited.txt': lines('old') }),
    () => Promise.resolve({ 'big.txt': lines('new'), 'big-edited.txt': lines('new') }));
  const service = await serviceRepo(template, {});
  const diff = await measure(runs, () => cli(['diff', service.dir], { cwd: service.cwd, cacheDir: service.cacheDir }));
  return { patch, patchBytes, diff };
}
