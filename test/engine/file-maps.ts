import { expect } from 'vitest';
import type { FileEntry, FileMode } from '../../src/engine/file-map.js';
import { UserError } from '../../src/engine/user-error.js';

/** A file for an in-memory FileMap: text or bytes, optionally with a git mode. */
export type EntrySpec = string | Buffer | { content: string | Buffer; mode: FileMode };

export function entry(spec: EntrySpec): FileEntry {
  if (typeof spec === 'string' || Buffer.isBuffer(spec)) return { content: Buffer.from(spec), mode: '100644' };
  return { content: Buffer.from(spec.content), mode: spec.mode };
}

/** An in-memory FileMap, the shape the engine passes between steps. */
export function fileMap(tree: Record<string, EntrySpec>): Map<string, FileEntry> {
  return new Map(Object.entries(tree).map(([path, spec]) => [path, entry(spec)]));
}

/** The text of every file in a map, for compact assertions. */
export function texts(map: ReadonlyMap<string, FileEntry>): Record<string, string> {
  return Object.fromEntries([...map].map(([path, file]) => [path, file.content.toString('utf8')]));
}

/** Bytes that isbinaryfile (and git) read as binary: a NUL among them. */
export const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]);

/** The UserError `run` throws; the test fails when it throws nothing or something else. */
export function userErrorOf(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}
