import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ANSWERS_FILE } from '../src/engine/answers-file.js';
import type { FileEntry } from '../src/engine/file-map.js';
import { resetRepo, type Service } from './fixtures.js';
import { measure, type Figures } from './measure.js';

const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** The three inputs of one merge the update makes, as `git merge-file` takes them. */
export interface MergeInput {
  readonly ours: Buffer;
  readonly base: Buffer;
  readonly theirs: Buffer;
}

/** What an update of the service must do at the least, found by running its steps once in-process. */
export interface UpdateWork {
  readonly templateUrl: string;
  readonly baseCommit: string;
  readonly targetCommit: string;
  readonly merges: readonly MergeInput[];
  readonly writes: ReadonlyMap<string, FileEntry>;
}

export interface ProcessFigures {
  /** `node -e 0`. */
  readonly node: Figures;
  /** The git commands no update can do without, run alone, side by side where they can be. */
  readonly git: Figures;
  /** `node dist/cli/main.js update`, the whole process, warm template and code caches. */
  readonly update: Figures;
  /** Git processes one `update` starts, counted by a `git` on PATH that logs each. */
  readonly updateGitProcesses: number;
  readonly floorGitProcesses: number;
}

async function run(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Buffer> {
  const child = exec(file, [...args], { cwd: options.cwd, env: options.env ?? process.env, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
  if (options.input !== undefined) child.child.stdin?.end(options.input);
  try {
    return (await child).stdout;
  } catch (error) {
    // merge-file's exit code is its conflict count; the CLI's update exits 1 when it wrote conflicts.
    const failed = error as { code?: number; stdout?: Buffer };
    if (typeof failed.code === 'number' && failed.code > 0 && failed.code < 128 && failed.stdout) return failed.stdout;
    throw error;
  }
}

/** The template cache's one bare repository (the service was made with this cache). */
async function templateCache(cacheDir: string): Promise<string> {
  const [only] = await readdir(join(cacheDir, 'templates'));
  return join(cacheDir, 'templates', only!);
}

/**
 * The floor's git part: the dirty check, the release list, the answers' history, both
 * versions' trees and every blob they hold, one merge-file per merged file, and writing the
 * files. Independent commands run at the same time, as an ideal update would run them.
 */
async function unavoidableGit(service: Service, work: UpdateWork, cache: string): Promise<number> {
  const dir = service.dir;
  await Promise.all([
    run('git', ['status', '--porcelain', '-z', '--untracked-files=all', '--', '.'], { cwd: dir }),
    run('git', ['ls-remote', '--tags', '--heads', '--', work.templateUrl], { cwd: dir }),
    run('git', ['log', '--format=%H', '--', ANSWERS_FILE], { cwd: dir }),
  ]);
  const trees = await Promise.all([work.baseCommit, work.targetCommit].map((commit) => run('git', ['ls-tree', '-r', '-z', commit], { cwd: cache })));
  const blobs = new Set(trees.flatMap((tree) => tree.toString('latin1').split('\0').filter(Boolean).map((record) => record.split(/[ \t]/)[2]!)));
  await run('git', ['cat-file', '--batch'], { cwd: cache, input: `${[...blobs].join('\n')}\n` });
  const scratch = await mkdtemp(join(tmpdir(), 'td-bench-floor-'));
  try {
    for (let start = 0; start < work.merges.length; start += 8) {
      await Promise.all(work.merges.slice(start, start + 8).map(async (merge, index) => {
        const files = ['ours', 'base', 'theirs'].map((name) => join(scratch, `${start + index}-${name}`));
        await Promise.all([writeFile(files[0]!, merge.ours), writeFile(files[1]!, merge.base), writeFile(files[2]!, merge.theirs)]);
        await run('git', ['merge-file', '-p', '--', ...files]);
      }));
    }
    await Promise.all([...work.writes].map(([path, entry]) => writeFile(join(dir, path), entry.content)));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return 3 + 2 + 1 + work.merges.length;
}

/** `node -e 0`, the unavoidable git alone, and the built CLI's whole `update`, for one service. */
export async function processFigures(service: Service, work: UpdateWork, runs: number, gitShim: string): Promise<ProcessFigures> {
  const cache = await templateCache(service.cacheDir);
  const env = { ...process.env, TEMPLATE_DRIFT_CACHE_DIR: service.cacheDir };
  const update = () => run(process.execPath, [CLI, 'update', service.dir], { cwd: service.cwd, env });
  await resetRepo(service.dir);
  await update(); // fills the code cache, as every run after a person's first one finds it
  const node = await measure(runs, () => run(process.execPath, ['-e', '0']));
  let floorGitProcesses = 0;
  const git = await measure(runs, async () => (floorGitProcesses = await unavoidableGit(service, work, cache)), () => resetRepo(service.dir));
  const updateFigures = await measure(runs, update, () => resetRepo(service.dir));

  const log = join(await mkdtemp(join(tmpdir(), 'td-bench-gitlog-')), 'git.log');
  await writeFile(log, '');
  await resetRepo(service.dir);
  await run(process.execPath, [CLI, 'update', service.dir], { cwd: service.cwd, env: { ...env, PATH: `${gitShim}:${process.env.PATH ?? ''}`, TD_GIT_LOG: log } });
  const updateGitProcesses = (await exec('wc', ['-l', log])).stdout.trim().split(' ')[0];
  await resetRepo(service.dir);
  return { node, git, update: updateFigures, updateGitProcesses: Number(updateGitProcesses), floorGitProcesses };
}
