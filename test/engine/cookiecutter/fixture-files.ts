import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileEntry } from '../../../src/engine/file-map.js';
import type { Tree } from '../../support/git-tree.js';

/** test/fixtures/cookiecutter: templates and the output cookiecutter produced from them (see regenerate.py there). */
export const COOKIECUTTER_FIXTURES = fileURLToPath(new URL('../../fixtures/cookiecutter/', import.meta.url));

/** A folder's files as a file map, the way the template store reads a commit (modes as git's). */
export async function readFolder(dir: string): Promise<Map<string, FileEntry>> {
  const files = new Map<string, FileEntry>();
  async function walk(relative: string): Promise<void> {
    for (const name of await readdir(join(dir, relative))) {
      const path = relative ? `${relative}/${name}` : name;
      const stats = await lstat(join(dir, path));
      if (stats.isDirectory()) await walk(path);
      else if (stats.isSymbolicLink()) files.set(path, { content: Buffer.from(await readlink(join(dir, path))), mode: '120000' });
      else files.set(path, { content: await readFile(join(dir, path)), mode: stats.mode & 0o100 ? '100755' : '100644' });
    }
  }
  await walk('');
  return files;
}

/** The fixture template's files, and cookiecutter's output for them. */
export async function fixture(name: string): Promise<{ template: Map<string, FileEntry>; expected: Map<string, FileEntry> }> {
  return { template: await readFolder(join(COOKIECUTTER_FIXTURES, name)), expected: await readFolder(join(COOKIECUTTER_FIXTURES, `${name}.expected`)) };
}

/** The seed regenerate.py renders the expected files with. */
export const FIXTURE_REPO = { owner: 'acme', name: 'fancy' } as const;
export const FIXTURE_COMMITTED_AT = new Date('2024-03-05T14:30:00Z');

/** Paths with mode and text, for comparisons whose failures show the difference. */
export function shown(files: ReadonlyMap<string, FileEntry>): Record<string, string> {
  return Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, entry]) => [path, `${entry.mode} ${entry.content.toString('latin1')}`]));
}

/** The fixture template as a git repository's tree. */
export async function fixtureTree(name: string): Promise<Tree> {
  const { template } = await fixture(name);
  return Object.fromEntries([...template].map(([path, entry]) => [path, { content: entry.content, executable: entry.mode === '100755' }]));
}
