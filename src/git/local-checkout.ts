import { chmod, lstat, mkdir, readFile, readlink, realpath, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileEntry, FileMap } from '../engine/file-map.js';
import { EXECUTABLE, REGULAR, SYMLINK } from '../engine/file-map.js';
import type { RepoIdentity } from '../engine/resolve-variables.js';
import { UserError } from '../engine/user-error.js';
import { gitClient } from './git-client.js';

/** Where a folder sits in git: the work tree's top, and the folder's path below it. */
export interface RepositoryPlace {
  readonly top: string;
  /** `''` at the top, else the folder's path from the top with a trailing `/` (`services/pay/`). */
  readonly prefix: string;
}

/**
 * A service's folder on disk: what the CLI reads "ours" from and writes the update to. It may be
 * the top of a git repository or any folder below it (a monorepo's service): every path it takes
 * and gives is relative to the folder, and git's answers are narrowed to the folder.
 * It reads only the paths it is asked for, so its cost follows the template, not the repository.
 */
export class LocalCheckout {
  /** Asked of git once: a command does not move the folder while it runs. */
  private place: Promise<RepositoryPlace | undefined> | undefined;

  constructor(readonly dir: string) {}

  /** The git work tree holding the folder, or undefined when git does not track it. */
  repositoryPlace(): Promise<RepositoryPlace | undefined> {
    this.place ??= repositoryPlaceOf(this.dir);
    return this.place;
  }

  async insideGitRepository(): Promise<boolean> {
    return (await this.repositoryPlace()) !== undefined;
  }

  /**
   * Paths in this folder with uncommitted changes (tracked or untracked), relative to the folder.
   * Changes elsewhere in the repository (a sibling service) are not this folder's business.
   */
  async uncommittedPaths(): Promise<string[]> {
    const place = await this.repositoryPlace();
    if (!place) return [];
    // `--branch` makes a clean status print a line: a silent command costs an extra 50 ms in simple-git.
    // The pathspec `.` (relative to the folder) narrows the status; porcelain paths stay relative to the top.
    const status = await gitClient(this.dir).raw(['status', '--porcelain', '--branch', '-z', '--untracked-files=all', '--', '.']);
    const records = status.split('\0');
    const paths: string[] = [];
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.length <= 3 || record.startsWith('## ')) continue;
      // A rename or copy is followed by its origin, in a record of its own.
      if (/[RC]/.test(record.slice(0, 2))) i++;
      const path = record.slice(3);
      if (path.startsWith(place.prefix)) paths.push(path.slice(place.prefix.length));
    }
    return paths;
  }

  /**
   * `owner/name` from the `origin` remote when there is one; otherwise (and for a subfolder of a
   * repository) the folder's name.
   */
  async identity(): Promise<RepoIdentity> {
    let url = '';
    try {
      // gitClient throws at once when the folder does not exist yet (`init` of a new folder).
      url = (await gitClient(this.dir).raw(['remote', 'get-url', 'origin'])).trim();
    } catch {
      // No git, or no origin: the folder name is the best name we have.
    }
    const match = /[/:]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
    // A service in a monorepo's subfolder is named by its folder, not by the monorepo.
    const inSubfolder = ((await this.repositoryPlace())?.prefix ?? '') !== '';
    if (match?.[1] && match[2]) return { owner: match[1], name: inSubfolder ? basename(this.dir) : match[2] };
    return { owner: '', name: basename(this.dir) };
  }

  /**
   * The committed versions of a file, newest first, as text: `git log` on this checkout only (no
   * network), each version read when it is asked for. Nothing when the folder is no git
   * repository or the file was never committed; a shallow clone yields the history it holds.
   */
  async *fileHistory(path: string): AsyncGenerator<string> {
    if (!(await this.repositoryPlace())) return;
    const git = gitClient(this.dir);
    let commits: string[];
    try {
      commits = (await git.raw(['log', '--format=%H', '--end-of-options', 'HEAD', '--', path])).split('\n').filter(Boolean);
    } catch {
      return; // not a repository, or no commit yet
    }
    // `./` makes the path relative to this folder, which may be a subfolder of the repository.
    for (const commit of commits) {
      // The commit that deleted the file ends its history: what came before was another life of it.
      const text = await git.raw(['show', `${commit}:./${path}`]).catch(() => undefined);
      if (text === undefined) return;
      yield text;
    }
  }

  async readText(path: string): Promise<string | undefined> {
    const entry = await this.readEntry(path);
    return entry?.content.toString('utf8');
  }

  async readFiles(paths: readonly string[]): Promise<Map<string, FileEntry>> {
    const files = new Map<string, FileEntry>();
    await Promise.all(
      paths.map(async (path) => {
        const entry = await this.readEntry(path);
        if (entry) files.set(path, entry);
      }),
    );
    return files;
  }

  private async readEntry(path: string): Promise<FileEntry | undefined> {
    const full = join(this.dir, path);
    const stats = await lstat(full).catch(() => undefined);
    if (!stats) return undefined;
    if (stats.isSymbolicLink()) return { content: Buffer.from(await readlink(full)), mode: SYMLINK };
    if (stats.isDirectory()) {
      throw new UserError(`${path} is a folder in this repository, but the template has a file there`);
    }
    return { content: await readFile(full), mode: stats.mode & 0o111 ? EXECUTABLE : REGULAR };
  }

  /**
   * Writes files and deletes paths. Callers check everything first; this only refuses to write
   * through a symlinked folder, which would put a file outside the repository.
   */
  async write(writes: FileMap, deletes: readonly string[]): Promise<void> {
    for (const path of [...writes.keys(), ...deletes]) await this.assertNoSymlinkedParent(path);
    for (const [path, entry] of writes) {
      const full = join(this.dir, path);
      await mkdir(dirname(full), { recursive: true });
      const existing = await lstat(full).catch(() => undefined);
      if (existing && (existing.isSymbolicLink() || entry.mode === SYMLINK)) await rm(full);
      if (entry.mode === SYMLINK) {
        await symlink(entry.content.toString('utf8'), full);
      } else {
        await writeFile(full, entry.content);
        await chmod(full, entry.mode === EXECUTABLE ? 0o755 : 0o644);
      }
    }
    for (const path of deletes) {
      await rm(join(this.dir, path), { force: true });
      await this.removeEmptyParents(path);
    }
  }

  private async assertNoSymlinkedParent(path: string): Promise<void> {
    const segments = path.split('/').slice(0, -1);
    for (let i = 1; i <= segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      const stats = await lstat(join(this.dir, parent)).catch(() => undefined);
      if (stats?.isSymbolicLink()) {
        throw new UserError(`Refusing to write ${path}: ${parent} is a symlink in this repository`);
      }
      if (stats && !stats.isDirectory()) {
        throw new UserError(`Refusing to write ${path}: ${parent} is a file in this repository`);
      }
    }
  }

  private async removeEmptyParents(path: string): Promise<void> {
    let parent = dirname(path);
    while (parent !== '.' && parent !== '') {
      try {
        await rmdir(join(this.dir, parent));
      } catch {
        return; // not empty (or gone): stop climbing
      }
      parent = dirname(parent);
    }
  }
}

async function repositoryPlaceOf(dir: string): Promise<RepositoryPlace | undefined> {
  try {
    // gitClient throws at once when the folder does not exist yet (`init` of a new folder).
    const [top, prefix] = (await gitClient(dir).raw(['rev-parse', '--show-toplevel', '--show-prefix'])).split('\n');
    return top ? { top, prefix: prefix ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The nearest folder at or above `start` that holds `path` (a service's answers file), so that
 * commands run from inside a service find it. The search stops at the top of the git work tree
 * holding `start` (or at the filesystem's root outside git); a `start` that does not exist is
 * looked at alone, so a mistyped folder never picks up a parent's answers.
 */
export async function nearestFolderHolding(start: string, path: string): Promise<string | undefined> {
  const from = await realpath(start).catch(() => undefined);
  if (from === undefined) return undefined;
  const top = (await repositoryPlaceOf(from))?.top;
  for (let dir = from; ; dir = dirname(dir)) {
    if (await lstat(join(dir, path)).then(() => true, () => false)) return dir;
    if (dir === top || dirname(dir) === dir) return undefined;
  }
}
