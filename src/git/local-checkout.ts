import type { Stats } from 'node:fs';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { FileEntry, FileMap } from '../engine/file-map.js';
import { EXECUTABLE, REGULAR, SYMLINK } from '../engine/file-map.js';
import type { RepoIdentity } from '../engine/resolve-variables.js';
import { UserError } from '../engine/user-error.js';
import { gitClient } from './git-client.js';
import { applyWrites } from './write-transaction.js';

/** What git says of a service's folder (LocalCheckout.status). */
export interface FolderStatus {
  /** Paths with uncommitted changes, tracked or untracked, relative to the folder. */
  readonly uncommitted: readonly string[];
  /** Whether git ignores a path of the folder: untracked and matched by .gitignore, or inside a folder that is. */
  readonly ignores: (path: string) => boolean;
}

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

  /** `place`: where the folder sits in git, when the caller has already asked (nearestFolderHolding). */
  constructor(readonly dir: string, place?: RepositoryPlace) {
    if (place) this.place = Promise.resolve(place);
  }

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
    return [...(await this.status()).uncommitted];
  }

  /**
   * One `git status` of this folder: its uncommitted paths and what git ignores in it, asked
   * together because both take the same walk of the folder (an update's dirty check, then the
   * files it reads). Ignored folders are listed, not walked (`--ignored=matching`).
   */
  async status(): Promise<FolderStatus> {
    const place = await this.repositoryPlace();
    if (!place) return { uncommitted: [], ignores: () => false };
    // `--branch` makes a clean status print a line: a silent command costs an extra 50 ms in simple-git.
    // The pathspec `.` (relative to the folder) narrows the status; porcelain paths stay relative to the top.
    const status = await gitClient(this.dir).raw(['status', '--porcelain', '--branch', '-z', '--untracked-files=all', '--ignored=matching', '--', '.']);
    const records = status.split('\0');
    const uncommitted: string[] = [];
    const ignored = new Set<string>();
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.length <= 3 || record.startsWith('## ')) continue;
      // Ignored files, and ignored folders with a trailing `/`, relative to the top.
      if (record.startsWith('!! ')) {
        ignored.add(record.slice(3));
        continue;
      }
      // A rename or copy is followed by its origin, in a record of its own.
      if (/[RC]/.test(record.slice(0, 2))) i++;
      const path = record.slice(3);
      if (path.startsWith(place.prefix)) uncommitted.push(path.slice(place.prefix.length));
    }
    return { uncommitted, ignores: (path) => isIgnored(ignored, `${place.prefix}${path}`) };
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

  readText(path: string): Promise<string | undefined> {
    return Promise.resolve().then(() => {
      const found = new Map<string, FileEntry>();
      new TreeReader(this.dir).read(path, found);
      return found.get(path)?.content.toString('utf8');
    });
  }

  /**
   * The repository's files at `paths`, read without ever following a symlinked folder (a link to
   * outside the repository is reported as the link it is, never read through). Besides the asked
   * paths the map holds what decides whether they can be written: a file or symlink where an
   * asked path needs a folder (`x` for `x/y`), and every file beneath an asked path that is a
   * folder here. Files git ignores are marked `gitIgnored`: they are local, and never overwritten.
   * `status` is this folder's, when the caller has just asked for it.
   */
  async readFiles(paths: readonly string[], status?: FolderStatus): Promise<Map<string, FileEntry>> {
    const asking = status ? Promise.resolve(status) : this.status().catch(() => undefined);
    const reader = new TreeReader(this.dir);
    const found = new Map<string, FileEntry>();
    for (const path of paths) reader.read(path, found);
    const ignores = (await asking)?.ignores;
    if (ignores) for (const [path, entry] of found) if (ignores(path)) found.set(path, { ...entry, gitIgnored: true });
    return found;
  }

  /** Writes files and deletes paths, all or nothing: see applyWrites. */
  async write(writes: FileMap, deletes: readonly string[]): Promise<void> {
    await applyWrites(this.dir, writes, deletes);
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
export async function nearestFolderHolding(start: string, path: string): Promise<{ dir: string; place?: RepositoryPlace } | undefined> {
  const found = await nearestFolderHoldingOneOf(start, [path]);
  return found && { dir: found.dir, ...(found.place && { place: found.place }) };
}

/** As nearestFolderHolding, for the first of `paths` found: at each folder they are looked for in their order. */
export async function nearestFolderHoldingOneOf(
  start: string, paths: readonly string[],
): Promise<{ dir: string; path: string; place?: RepositoryPlace } | undefined> {
  const from = await realpath(start).catch(() => undefined);
  if (from === undefined) return undefined;
  const place = await repositoryPlaceOf(from);
  for (let dir = from; ; dir = dirname(dir)) {
    for (const path of paths) {
      if (await lstat(join(dir, path)).then(() => true, () => false)) return { dir, path, ...(place && { place: placeAbove(place, from, dir) }) };
    }
    if (dir === place?.top || dirname(dir) === dir) return undefined;
  }
}

/** Where `dir`, at or above `from` in the same work tree, sits: git's answer for `from`, walked up. */
function placeAbove(place: RepositoryPlace, from: string, dir: string): RepositoryPlace {
  if (dir === from) return place;
  const below = relative(place.top, dir);
  return { top: place.top, prefix: below === '' ? '' : `${below.split(sep).join('/')}/` };
}

/** Whether `path` (from the top) or a folder above it is among git's ignored paths. */
function isIgnored(ignored: ReadonlySet<string>, path: string): boolean {
  if (ignored.size === 0) return false;
  if (ignored.has(path)) return true;
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    if (ignored.has(path.slice(0, slash + 1))) return true;
  }
  return false;
}

/**
 * Reads paths of one folder, looking each folder up once and never through a symlink. The
 * reads are synchronous: a template's few hundred small files are read in a few milliseconds
 * that way, where promises spend several times that on four round trips through the thread
 * pool for each file (open, stat, read, close).
 */
class TreeReader {
  private readonly stats = new Map<string, Stats | undefined>();
  private readonly listings = new Map<string, string[]>();

  constructor(private readonly dir: string) {}

  read(path: string, found: Map<string, FileEntry>): void {
    const segments = path.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const here = segments.slice(0, i).join('/');
      const stats = this.lookUp(here);
      if (!stats) return;
      if (stats.isDirectory()) {
        if (i === segments.length) this.readBeneath(here, found);
        continue;
      }
      found.set(here, this.entry(here, stats));
      return; // a file or symlink: nothing beneath it is read, whatever the link points at
    }
  }

  /** lstat, and only when the folder's listing spells the name exactly (a case-insensitive disk answers for other spellings too). */
  private lookUp(path: string): Stats | undefined {
    if (!this.stats.has(path)) {
      const parent = dirname(path);
      const listed = this.list(parent === '.' ? '' : parent).includes(basename(path));
      this.stats.set(path, listed ? lstatSync(join(this.dir, path), { throwIfNoEntry: false }) : undefined);
    }
    return this.stats.get(path);
  }

  private list(folder: string): string[] {
    let names = this.listings.get(folder);
    if (!names) {
      try {
        names = readdirSync(join(this.dir, folder));
      } catch {
        names = [];
      }
      this.listings.set(folder, names);
    }
    return names;
  }

  private readBeneath(folder: string, found: Map<string, FileEntry>): void {
    for (const name of this.list(folder)) {
      const path = `${folder}/${name}`;
      const stats = this.lookUp(path);
      if (stats?.isDirectory()) this.readBeneath(path, found);
      else if (stats) found.set(path, this.entry(path, stats));
    }
  }

  private entry(path: string, stats: Stats): FileEntry {
    const full = join(this.dir, path);
    if (stats.isSymbolicLink()) return { content: Buffer.from(readlinkSync(full)), mode: SYMLINK };
    if (!stats.isFile()) throw new UserError(`${path} is not a regular file in this repository (a device, socket or pipe); refusing to read it`);
    return { content: readFileSync(full), mode: stats.mode & 0o111 ? EXECUTABLE : REGULAR };
  }
}
