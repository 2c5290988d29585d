import { createTwoFilesPatch } from 'diff';
import { isBinaryFileSync } from 'isbinaryfile';
import type { FileEntry } from './file-map.js';

/**
 * The unified diff of one path between two states, as `git diff` would show it: a/ and b/
 * prefixes, /dev/null for a missing side, mode lines, and a note instead of text for binaries.
 */
export function unifiedDiff(path: string, before: FileEntry | undefined, after: FileEntry | undefined): string {
  const header = [`diff --git a/${path} b/${path}`];
  if (!before && after) header.push(`new file mode ${after.mode}`);
  else if (before && !after) header.push(`deleted file mode ${before.mode}`);
  else if (before && after && before.mode !== after.mode) header.push(`old mode ${before.mode}`, `new mode ${after.mode}`);

  const oldContent = before?.content ?? Buffer.alloc(0);
  const newContent = after?.content ?? Buffer.alloc(0);
  if (oldContent.equals(newContent)) return `${header.join('\n')}\n`;
  const oldName = before ? `a/${path}` : '/dev/null';
  const newName = after ? `b/${path}` : '/dev/null';
  if ((before && isBinaryFileSync(oldContent)) || (after && isBinaryFileSync(newContent))) {
    return `${header.join('\n')}\nBinary files ${oldName} and ${newName} differ\n`;
  }
  const patch = createTwoFilesPatch(oldName, newName, oldContent.toString('utf8'), newContent.toString('utf8'), undefined, undefined, { context: 3 });
  // jsdiff starts with an `Index:`-free `===` line; keep only the ---/+++ header and hunks.
  const body = patch.split('\n').filter((line) => !/^={10,}$/.test(line)).join('\n');
  return `${header.join('\n')}\n${body}`;
}
