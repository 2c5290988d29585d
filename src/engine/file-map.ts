/**
 * The value every step of an update passes on: output path → file. Paths use `/` and are
 * relative to the repository root. Modes are git's: the executable bit and symlinks are kept,
 * everything else about a file is its bytes.
 */
export type FileMode = '100644' | '100755' | '120000';

export interface FileEntry {
  /** For a symlink, the link target's bytes (as git stores it). */
  readonly content: Buffer;
  readonly mode: FileMode;
  /**
   * Set only on the repository's side, by a checkout: git ignores this file (`.env`), so it is a
   * person's local file that no update may overwrite or delete.
   */
  readonly gitIgnored?: true;
}

export type FileMap = ReadonlyMap<string, FileEntry>;

export const REGULAR: FileMode = '100644';
export const EXECUTABLE: FileMode = '100755';
export const SYMLINK: FileMode = '120000';

export function sameFile(a: FileEntry | undefined, b: FileEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.mode === b.mode && a.content.equals(b.content);
}

export function sameContent(a: FileEntry | undefined, b: FileEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.content.equals(b.content);
}
