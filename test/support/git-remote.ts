import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onTestFinished } from 'vitest';
import type { BareRepo } from './service-fleet.js';
import { git, tempDir, writeTree, type Tree } from './temp-repo.js';

/**
 * What happens on the "server" side of the app's git traffic: the bare repositories the app
 * clones from and pushes to, changed or watched the way a person or GitHub would.
 */

/**
 * Counts the object transfers (clones and fetches, not ls-remote) each bare repository serves,
 * through git's `uploadpack.packObjectsHook`. Git honours that hook only in protected (global)
 * config, so the test's GIT_CONFIG_GLOBAL points at a config with it until the test ends; the
 * app's git processes inherit it.
 */
export async function countObjectTransfers(): Promise<{ servedBy(bare: { dir: string }): Promise<number> }> {
  const dir = await tempDir('td-hook-');
  const log = join(dir, 'served.log');
  const hook = join(dir, 'pack-objects-hook');
  await writeFile(log, '');
  await writeFile(hook, `#!/bin/sh\necho "$PWD" >> '${log}'\nexec "$@"\n`);
  await chmod(hook, 0o755);
  const config = join(dir, 'gitconfig');
  await writeFile(config, `[uploadpack]\n\tpackObjectsHook = ${hook}\n`);
  const previous = process.env.GIT_CONFIG_GLOBAL;
  process.env.GIT_CONFIG_GLOBAL = config;
  onTestFinished(() => {
    process.env.GIT_CONFIG_GLOBAL = previous;
  });
  return {
    async servedBy(bare) {
      return (await readFile(log, 'utf8')).split('\n').filter((line) => line === bare.dir).length;
    },
  };
}

/**
 * A copy of a bare repository at a path ending in `owner/repo.git`, so its file:// clone URL
 * names the repository the way a GitHub clone URL does (`.../acme/service-template.git`).
 */
export async function hostAs(bare: BareRepo, fullName: string): Promise<{ dir: string; url: string }> {
  const dir = join(await tempDir('td-host-'), `${fullName}.git`);
  await git(bare.dir, 'clone', '--quiet', '--bare', '--', bare.dir, dir);
  await git(dir, 'config', 'uploadpack.allowFilter', 'true');
  return { dir, url: `file://${dir}` };
}

/** Makes the bare repository refuse every push, as a protected branch or a failing hook would. */
export async function rejectPushes(bare: BareRepo): Promise<void> {
  const hook = join(bare.dir, 'hooks', 'pre-receive');
  await writeFile(hook, '#!/bin/sh\necho "pushes are refused here" >&2\nexit 1\n');
  await chmod(hook, 0o755);
}

/**
 * A person pushes to `branch`: a commit on top of it, or (force) a branch made from main.
 * Commits carry the test identity (TEST_GIT_ENV), unless `posingAs` copies the app's committer
 * e-mail and commit message (trailer included), as anyone who can push could.
 */
export async function pushAsPerson(
  bare: BareRepo, branch: string, tree: Tree, options: { force?: boolean; posingAs?: { committerEmail: string; message: string } } = {},
): Promise<string> {
  const work = await tempDir('td-person-');
  await git(work, 'clone', '--quiet', '--', bare.dir, '.');
  await git(work, 'checkout', '--quiet', '-B', branch, options.force ? 'origin/main' : `origin/${branch}`);
  await writeTree(work, tree);
  await git(work, 'add', '--all');
  const { posingAs } = options;
  if (posingAs) {
    await promisify(execFile)('git', ['commit', '--quiet', '-m', posingAs.message], { cwd: work, env: { ...process.env, GIT_COMMITTER_EMAIL: posingAs.committerEmail } });
  } else {
    await git(work, 'commit', '--quiet', '-m', 'a person fixes the update by hand');
  }
  await git(work, 'push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
  return (await git(work, 'rev-parse', 'HEAD')).trim();
}

/** Counts the pushes the bare repository accepts (one post-receive run per push). */
export async function countPushes(bare: BareRepo): Promise<() => Promise<number>> {
  const log = join(await tempDir('td-pushes-'), 'pushes.log');
  await writeFile(log, '');
  const hook = join(bare.dir, 'hooks', 'post-receive');
  await writeFile(hook, `#!/bin/sh\ncat >> '${log}'\n`);
  await chmod(hook, 0o755);
  return async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean).length;
}
