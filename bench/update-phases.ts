import { rm } from 'node:fs/promises';
import { ANSWERS_FILE, parseAnswers, updateAnswersText } from '../src/engine/answers-file.js';
import type { FileEntry } from '../src/engine/file-map.js';
import { REGULAR } from '../src/engine/file-map.js';
import { managedPaths, planUpdate } from '../src/engine/plan-update.js';
import { renderSnapshot } from '../src/engine/render-snapshot.js';
import { gitClient } from '../src/git/git-client.js';
import { GitMergeFile } from '../src/git/git-merge-file.js';
import { LocalCheckout } from '../src/git/local-checkout.js';
import { locateTemplate } from '../src/git/template-location.js';
import { TemplateStore } from '../src/git/template-store.js';
import { resolveTarget } from '../src/workflows/prepare-update.js';
import { cli, git, resetRepo, type Service } from './fixtures.js';
import { measure, type Figures } from './measure.js';
import type { MergeInput, UpdateWork } from './process-floor.js';

export interface PhaseResult {
  /** Phase name → figures, in the order the CLI's `update` goes through them. */
  readonly phases: Map<string, Figures>;
  readonly stats: { readonly managed: number; readonly written: number; readonly deleted: number; readonly merged: number; readonly conflicts: number };
  /** What the update had to do (its merges and writes), for the floor it is compared with. */
  readonly work: UpdateWork;
}

export const END_TO_END_WARM = 'update end to end, CLI (warm cache)';
export const END_TO_END_COLD = 'update end to end, CLI (cold cache)';

/**
 * The CLI's `update`, step by step with the same engine calls (prepareUpdate's steps, timed one
 * at a time), then the whole command in-process. Every repetition of a step that writes starts
 * from the committed tree.
 */
export async function updatePhases(service: Service, runs: number, coldRuns: number): Promise<PhaseResult> {
  const phases = new Map<string, Figures>();
  const time = async (name: string, count: number, body: () => unknown, setup?: () => Promise<unknown>) => {
    phases.set(name, await measure(count, body, setup));
  };
  const { dir } = service;
  const checkout = new LocalCheckout(dir);
  const answersText = (await checkout.readText(ANSWERS_FILE)) ?? '';
  const answers = parseAnswers(answersText);
  const location = locateTemplate(answers.template, { baseDir: dir });
  const baseCommit = answers.commit ?? '';
  const repo = await checkout.identity();

  await time('answers file + repo checks (rev-parse, remote)', runs, async () => {
    parseAnswers((await checkout.readText(ANSWERS_FILE)) ?? '');
    // A fresh checkout each run: it asks git where it sits only once.
    const fresh = new LocalCheckout(dir);
    await fresh.insideGitRepository();
    await fresh.identity();
  });
  const dirty = await checkout.uncommittedPaths();
  if (dirty.length > 0) throw new Error(`${dir} is not clean: ${dirty.slice(0, 3).join(', ')}`);
  await time('git status dirty check', runs, () => checkout.uncommittedPaths());

  const fetch = async (cacheDir: string) => {
    const repository = await new TemplateStore({ cacheDir }).open(location);
    const target = await resolveTarget(repository, undefined, answers.prereleases);
    return { target, theirs: await repository.read(target.commit), base: await repository.read(baseCommit) };
  };
  await time('template fetch + read, cold cache', coldRuns, () => fetch(service.coldCacheDir), () => rm(service.coldCacheDir, { recursive: true, force: true }));
  await time('template fetch + read, warm cache', runs, () => fetch(service.cacheDir));

  const files = await fetch(service.cacheDir);
  const render = () => ({
    theirs: renderSnapshot({ files: files.theirs, ref: files.target.ref, answers: answers.variables, repo, ignore: answers.ignore }),
    base: renderSnapshot({ files: files.base, ref: answers.version ?? baseCommit, answers: answers.variables, repo }).output,
  });
  await time('render base + target', runs, render);

  const { theirs, base } = render();
  const paths = managedPaths(base, theirs.output);
  await time('read ours (template paths only)', runs, () => checkout.readFiles(paths));

  const ours = await checkout.readFiles(paths);
  const gitMerge = new GitMergeFile();
  let merges: MergeInput[] = [];
  const recordingMerger = {
    merge: (mine: Buffer, baseText: Buffer, theirsText: Buffer, labels: Parameters<GitMergeFile['merge']>[3]) => {
      merges.push({ ours: mine, base: baseText, theirs: theirsText });
      return gitMerge.merge(mine, baseText, theirsText, labels);
    },
  };
  const plan = () =>
    planUpdate({
      base,
      theirs: theirs.output,
      ours,
      policyOf: theirs.policyOf,
      merger: recordingMerger,
      labels: { ours: 'repository', base: `template ${answers.version ?? ''}`, theirs: `template ${files.target.ref}` },
    });
  await time('plan + merge (git merge-file)', runs, plan);

  merges = [];
  const changes = await plan();
  const writes = new Map<string, FileEntry>();
  const deletes: string[] = [];
  for (const change of changes) {
    if (change.after) writes.set(change.path, change.after);
    else if (change.action === 'delete') deletes.push(change.path);
  }
  const newAnswers = updateAnswersText(answersText, { version: files.target.ref, commit: files.target.commit, newVariables: {} });
  writes.set(ANSWERS_FILE, { content: Buffer.from(newAnswers), mode: REGULAR });
  await time('write', runs, () => checkout.write(writes, deletes), () => resetRepo(dir));

  const environment = { cwd: service.cwd, cacheDir: service.cacheDir };
  await time(END_TO_END_WARM, runs, () => cli(['update', dir], environment), () => resetRepo(dir));
  await time(END_TO_END_COLD, coldRuns, () => cli(['update', dir], { ...environment, cacheDir: service.coldCacheDir }), async () => {
    await resetRepo(dir);
    await rm(service.coldCacheDir, { recursive: true, force: true });
  });
  await resetRepo(dir);

  // For comparison only: the dirty check's own git cost (no simple-git), and narrower checks.
  const client = gitClient(dir);
  await time('(ref) same git status via execFile', runs, () => git(dir, 'status', '--porcelain', '-z', '--untracked-files=all'));
  await time('(alt) git status -uno (tracked files only)', runs, () => client.raw(['status', '--porcelain', '-z', '--untracked-files=no']));
  await time('(alt) git status -- <template paths>', runs, () =>
    client.raw(['status', '--porcelain', '-z', '--untracked-files=all', '--', ANSWERS_FILE, ...paths]));

  return {
    work: { templateUrl: location.url, baseCommit, targetCommit: files.target.commit, merges, writes },
    phases,
    stats: {
      managed: paths.length,
      written: writes.size,
      deleted: deletes.length,
      merged: changes.filter((change) => change.outcome === 'merged').length,
      conflicts: changes.filter((change) => change.conflict).length,
    },
  };
}
