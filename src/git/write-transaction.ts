import { access, chmod, constants, lstat, mkdir, readdir, readFile, readlink, realpath, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileEntry, FileMap } from '../engine/file-map.js';
import { EXECUTABLE, SYMLINK } from '../engine/file-map.js';
import { UserError } from '../engine/user-error.js';

/** What filesystems allow for one name and for a whole path (Linux's NAME_MAX and PATH_MAX). */
const NAME_MAX_BYTES = 255;
const PATH_MAX_BYTES = 4095;

/** One step that puts back what a write or delete changed; run in reverse order on failure. */
type Undo = () => Promise<void>;

/**
 * Applies a planned update to a folder all or nothing:
 * 1. check every path before the first write (names too long, files or symlinks in the way,
 *    folders that would have to be replaced, what the process may not write), so the usual
 *    failures change nothing at all;
 * 2. delete first, then write: a file that becomes a folder, a folder that becomes a file, and a
 *    case-only rename (`Readme.md` → `README.md` on a case-insensitive disk) need the old path
 *    gone before the new one is made;
 * 3. before changing each path, keep what was there (bytes and full mode, a link's target, a
 *    folder's mode) and check the real path of its folder is the one inside the repository;
 * 4. on any failure (a full disk, a file size limit, a race with another program), undo every
 *    step in reverse and report the failure as a UserError: the repository is as it was.
 * The backups are kept in memory: they are the files the plan already read, and a process that
 * is killed outright cannot run an undo from disk either.
 */
export async function applyWrites(root: string, writes: FileMap, deletes: readonly string[]): Promise<void> {
  const undo: Undo[] = [];
  await makeRoot(root, undo);
  const realRoot = await realpath(root);
  try {
    await preflight(realRoot, writes, deletes);
  } catch (error) {
    await rollBack(undo, error); // a folder made for `init` or `render` goes again
    throw error;
  }
  let current = '';
  try {
    for (const path of deletes) {
      current = path;
      await deletePath(realRoot, path, undo);
    }
    for (const [path, entry] of writes) {
      current = path;
      await writePath(realRoot, path, entry, undo);
    }
  } catch (error) {
    await rollBack(undo, error);
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`Could not write ${current} (${reason}); every change was undone, so the folder is exactly as it was`, { cause: error });
  }
}

async function makeRoot(root: string, undo: Undo[]): Promise<void> {
  const missing: string[] = [];
  for (let dir = root; !(await lstat(dir).catch(() => undefined)); dir = dirname(dir)) missing.push(dir);
  if (missing.length === 0) return;
  await mkdir(root, { recursive: true });
  // Outermost first, so that undoing (in reverse) removes the innermost folder first.
  for (const dir of missing.reverse()) undo.push(() => rmdir(dir));
}

async function rollBack(undo: Undo[], cause: unknown): Promise<void> {
  const failures: unknown[] = [];
  for (const step of undo.reverse()) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    // Not a UserError: the repository could not be put back, and the person must be told plainly.
    throw new AggregateError([cause, ...failures], 'A write failed and undoing it failed too; check `git status` before anything else');
  }
}

/** Every check that can be made without writing, for every path, before the first write. */
async function preflight(realRoot: string, writes: FileMap, deletes: readonly string[]): Promise<void> {
  const deleted = new Set(deletes);
  const listings = new Map<string, Promise<string[]>>();
  const list = (dir: string) => {
    if (!listings.has(dir)) listings.set(dir, readdir(dir === '.' ? realRoot : join(realRoot, dir)).catch(() => []));
    return listings.get(dir)!;
  };
  const refuse = (path: string, why: string): never => {
    throw new UserError(`Refusing to write ${path}: ${why}; nothing was written`);
  };
  for (const path of [...deletes, ...writes.keys()]) {
    const long = path.split('/').find((name) => Buffer.byteLength(name) > NAME_MAX_BYTES);
    if (long !== undefined) refuse(path, `the name "${long.slice(0, 40)}…" is ${Buffer.byteLength(long)} bytes, more than the ${NAME_MAX_BYTES} filesystems allow`);
    if (Buffer.byteLength(join(realRoot, path)) > PATH_MAX_BYTES) refuse(path, `the full path is longer than the ${PATH_MAX_BYTES} bytes filesystems allow`);
    const problem = await blockedParent(realRoot, path, deleted);
    if (problem) refuse(path, problem);
  }
  for (const path of deletes) {
    const stats = await lstat(join(realRoot, path)).catch(() => undefined);
    if (stats?.isDirectory()) refuse(path, 'it is a folder here, not a file');
    if (stats) await mayChange(realRoot, dirname(path), (why) => refuse(path, why));
  }
  for (const path of writes.keys()) {
    const full = join(realRoot, path);
    const stats = await lstat(full).catch(() => undefined);
    const spelled = stats ? await actualName(path, list) : path;
    if (spelled !== path && !deleted.has(spelled)) {
      refuse(path, `this filesystem does not tell it apart from ${spelled}, which the update keeps`);
    }
    if (stats?.isDirectory()) {
      const left = (await filesBeneath(full, path)).filter((inner) => !deleted.has(inner));
      if (left.length > 0) refuse(path, `it is a folder here that still holds ${left[0]}`);
    } else if (stats && !stats.isFile() && !stats.isSymbolicLink()) {
      refuse(path, 'it is not a regular file here (a device, socket or pipe)');
    }
    if (stats?.isFile()) await access(full, constants.W_OK).catch((error: NodeJS.ErrnoException) => refuse(path, `${error.code ?? 'it'} may not be written`));
    await mayChange(realRoot, dirname(path), (why) => refuse(path, why));
  }
}

/** Why a path's folders are not plain folders of this repository, or undefined when they are. */
async function blockedParent(realRoot: string, path: string, deleted: ReadonlySet<string>): Promise<string | undefined> {
  const segments = path.split('/').slice(0, -1);
  for (let i = 1; i <= segments.length; i++) {
    const parent = segments.slice(0, i).join('/');
    const stats = await lstat(join(realRoot, parent)).catch(() => undefined);
    if (!stats) return undefined; // made by the write itself
    if (stats.isDirectory()) continue;
    if (deleted.has(parent)) return undefined; // a file or symlink the update deletes first, to make way for the folder
    if (stats.isSymbolicLink()) return `${parent} is a symlink in this repository, and nothing is written through one`;
    return `${parent} is a file in this repository`;
  }
  return undefined;
}

/** Checks the nearest folder at or above `dir` may be written (create, replace or remove entries in it). */
async function mayChange(realRoot: string, dir: string, refuse: (why: string) => never): Promise<void> {
  let existing = dir;
  // Missing folders are made by the write; a file or symlink in the way is deleted first (blockedParent checked).
  while (existing !== '.' && !(await lstat(join(realRoot, existing)).catch(() => undefined))?.isDirectory()) existing = dirname(existing);
  const full = existing === '.' ? realRoot : join(realRoot, existing);
  await access(full, constants.W_OK).catch((error: NodeJS.ErrnoException) => {
    refuse(`the folder ${existing === '.' ? 'at the top' : existing} may not be written (${error.code ?? 'denied'})`);
  });
}

/** The path as the folder listing spells it: differs from `path` only on a case-insensitive disk. */
async function actualName(path: string, list: (dir: string) => Promise<string[]>): Promise<string> {
  const parent = dirname(path);
  const name = path.slice(parent === '.' ? 0 : parent.length + 1);
  const names = await list(parent);
  if (names.includes(name)) return path;
  const alias = names.find((other) => other.toLowerCase() === name.toLowerCase()) ?? name;
  return parent === '.' ? alias : `${parent}/${alias}`;
}

async function filesBeneath(full: string, path: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(full, { withFileTypes: true })) {
    const inner = `${path}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesBeneath(join(full, entry.name), inner)));
    else found.push(inner);
  }
  return found;
}

/** The real folder a path is written in must be the repository's own, not one a link leads to. */
async function assertRealParent(realRoot: string, path: string): Promise<void> {
  const parent = dirname(path);
  const expected = parent === '.' ? realRoot : join(realRoot, parent);
  if ((await realpath(expected)) !== expected) {
    throw new UserError(`Refusing to write ${path}: its folder resolves outside ${realRoot}`);
  }
}

async function deletePath(realRoot: string, path: string, undo: Undo[]): Promise<void> {
  const full = join(realRoot, path);
  const stats = await lstat(full).catch(() => undefined);
  if (!stats) return;
  await assertRealParent(realRoot, path);
  undo.push(await keepFor(full, stats));
  await rm(full);
  // Folders the delete leaves empty go too, as git would; each is made again on undo.
  for (let parent = dirname(path); parent !== '.'; parent = dirname(parent)) {
    const dir = join(realRoot, parent);
    const mode = (await lstat(dir)).mode & 0o7777;
    try {
      await rmdir(dir);
    } catch {
      return; // not empty: stop climbing
    }
    undo.push(async () => {
      await mkdir(dir);
      await chmod(dir, mode);
    });
  }
}

async function writePath(realRoot: string, path: string, entry: FileEntry, undo: Undo[]): Promise<void> {
  const full = join(realRoot, path);
  await makeFolders(realRoot, dirname(path), undo);
  await assertRealParent(realRoot, path);
  const stats = await lstat(full).catch(() => undefined);
  if (stats?.isDirectory()) {
    // Emptied by the deletes before (the preflight checked): the folder becomes a file.
    const mode = stats.mode & 0o7777;
    await rmdir(full);
    undo.push(async () => {
      await rm(full, { force: true });
      await mkdir(full);
      await chmod(full, mode);
    });
  } else if (stats) {
    undo.push(await keepFor(full, stats));
  } else {
    undo.push(() => rm(full, { force: true }));
  }

  if (entry.mode === SYMLINK) {
    if (stats && !stats.isDirectory()) await rm(full);
    await symlink(entry.content.toString('utf8'), full);
    return;
  }
  if (stats?.isSymbolicLink()) await rm(full);
  const inPlace = stats?.isFile() === true;
  // Writing in place keeps the file's own permissions (0640, 0664); only the executable bit is the template's.
  await writeFile(full, entry.content, inPlace ? {} : { mode: entry.mode === EXECUTABLE ? 0o755 : 0o644 });
  const before = inPlace ? stats.mode & 0o7777 : entry.mode === EXECUTABLE ? 0o755 : 0o644;
  const wanted = withExecutableBit(before, entry.mode === EXECUTABLE);
  if (!inPlace || wanted !== before) await chmod(full, wanted);
}

/** Sets or clears the executable bits as git does: executable for whoever may read the file. */
function withExecutableBit(mode: number, executable: boolean): number {
  if (!executable) return mode & ~0o111;
  return (mode & 0o111) !== 0 ? mode : mode | ((mode & 0o444) >> 2);
}

async function makeFolders(realRoot: string, dir: string, undo: Undo[]): Promise<void> {
  if (dir === '.') return;
  const segments = dir.split('/');
  for (let i = 1; i <= segments.length; i++) {
    const folder = join(realRoot, ...segments.slice(0, i));
    const stats = await lstat(folder).catch(() => undefined);
    if (stats?.isDirectory()) continue;
    if (stats) throw new UserError(`Refusing to write beneath ${segments.slice(0, i).join('/')}: it is not a folder`);
    await mkdir(folder);
    undo.push(() => rmdir(folder));
  }
}

/** What puts a file or symlink back exactly as it is now: bytes, full mode, or the link's target. */
async function keepFor(full: string, stats: Stats): Promise<Undo> {
  if (stats.isSymbolicLink()) {
    const target = await readlink(full);
    return async () => {
      await rm(full, { force: true, recursive: true });
      await symlink(target, full);
    };
  }
  const content = await readFile(full);
  const mode = stats.mode & 0o7777;
  return async () => {
    const now = await lstat(full).catch(() => undefined);
    if (now && !now.isFile()) await rm(full, { recursive: true });
    await writeFile(full, content);
    await chmod(full, mode);
  };
}
