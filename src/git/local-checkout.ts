import { chmod, lstat, mkdir, readFile, readlink, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileEntry, FileMap } from '../engine/file-map.js';
import { EXECUTABLE, REGULAR, SYMLINK } from '../engine/file-map.js';
import type { RepoIdentity } from '../engine/resolve-variables.js';
import { UserError } from '../engine/user-error.js';
import { gitClient } from './git-client.js';

/**
 * A repository checked out on disk: what the CLI reads "ours" from and writes the update to.
 * It reads only the paths it is asked for, so its cost follows the template, not the repository.
 */
export class LocalCheckout {
  constructor(readonly dir: string) {}

  async isGitRepository(): Promise<boolean> {
    try {
      const top = await gitClient(this.dir).raw(['rev-parse', '--show-prefix']);
      return top.trim() === '';
    } catch {
      return false;
    }
  }

  /** Paths with uncommitted changes (tracked or untracked), as `git status` names them. */
  async uncommittedPaths(): Promise<string[]> {
    // `--branch` makes a clean status print a line: a silent command costs an extra 50 ms in simple-git.
    const status = await gitClient(this.dir).raw(['status', '--porcelain', '--branch', '-z', '--untracked-files=all']);
    return status.split('\0').filter((record) => record.length > 3 && !record.startsWith('## ')).map((record) => record.slice(3));
  }

  /** `owner/name` from the `origin` remote when there is one; otherwise the folder's name. */
  async identity(): Promise<RepoIdentity> {
    let url = '';
    try {
      // gitClient throws at once when the folder does not exist yet (`init` of a new folder).
      url = (await gitClient(this.dir).raw(['remote', 'get-url', 'origin'])).trim();
    } catch {
      // No git, or no origin: the folder name is the best name we have.
    }
    const match = /[/:]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
    if (match?.[1] && match[2]) return { owner: match[1], name: match[2] };
    return { owner: '', name: basename(this.dir) };
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
