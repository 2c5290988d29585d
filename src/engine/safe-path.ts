import type { FileMap } from './file-map.js';
import { SYMLINK } from './file-map.js';
import { UserError } from './user-error.js';

/**
 * Refuses an output path that could escape the repository or touch git's own data. Template
 * content and answers are untrusted, so a rendered path is checked before anything uses it.
 */
export function assertSafeOutputPath(path: string, source: string): void {
  const problem = unsafeReason(path);
  if (problem) throw new UserError(`Template file ${source} renders to an unsafe path ${JSON.stringify(path)}: ${problem}`);
}

/** No file system or git checkout takes a longer file or folder name (NAME_MAX). */
const MAX_SEGMENT_BYTES = 255;

/** Refuses a rendered path with a file or folder name no file system would take. */
export function assertShortSegments(path: string, source: string): void {
  if (path.split('/').some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) {
    throw new UserError(`Template file ${source} renders a file or folder name longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
}

// C0 controls, DEL and C1 controls: a newline in a path breaks every line-based tool (git's
// own porcelain, CI logs, our report), and none of them is ever a real file name.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function unsafeReason(path: string): string | undefined {
  if (path === '') return 'it is empty';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\')) return 'it must be relative and use /';
  if (CONTROL.test(path)) return 'it contains a control character (a newline, tab or NUL)';
  const segments = path.split('/');
  if (segments.some((s) => s === '')) return 'it has an empty segment';
  if (segments.some((s) => s === '..' || s === '.')) return 'it contains . or ..';
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'it writes inside .git';
  return undefined;
}

/**
 * Checks a whole rendered output as the tree it will become on disk:
 * - no path lies beneath another output path, so the output never needs `foo` to be both a file
 *   and a folder, and never holds files beneath one of its own symlinks (a write through that
 *   link would land wherever the link points);
 * - every symlink, resolved through the output's other symlinks the way the filesystem will
 *   (`s1 -> a/b/up/..` with `a/b/up -> ../..` is the repository's parent, although each target
 *   looks harmless on its own), stays inside the output and out of `.git`.
 */
export function assertSafeOutputTree(output: FileMap): void {
  for (const path of output.keys()) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const ancestor = segments.slice(0, i).join('/');
      const entry = output.get(ancestor);
      if (entry) {
        const what = entry.mode === SYMLINK ? 'a symlink' : 'a file';
        throw new UserError(`The template renders ${ancestor} as ${what} and also ${path} beneath it; a path cannot be both, refusing the template`);
      }
    }
  }
  for (const [path, entry] of output) {
    if (entry.mode === SYMLINK) assertSymlinkInside(path, entry.content.toString('utf8'), output);
  }
}

/** Linux gives up after 40 links in one lookup (ELOOP); so do we. */
const MAX_LINK_HOPS = 40;

function assertSymlinkInside(linkPath: string, target: string, output: FileMap): void {
  const refuse = (): never => {
    throw new UserError(`Template symlink ${linkPath} points outside the output (${JSON.stringify(target)}); refusing it`);
  };
  if (target.startsWith('/') || target === '' || CONTROL.test(target)) refuse();
  const resolved = linkPath.split('/').slice(0, -1);
  const pending = target.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const segment = pending.shift()!;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (resolved.length === 0) refuse();
      resolved.pop();
      continue;
    }
    if (segment.toLowerCase() === '.git') refuse();
    const here = [...resolved, segment].join('/');
    const entry = output.get(here);
    if (entry?.mode === SYMLINK) {
      if (++hops > MAX_LINK_HOPS) refuse();
      const next = entry.content.toString('utf8');
      if (next.startsWith('/')) refuse();
      pending.unshift(...next.split('/'));
    } else {
      resolved.push(segment);
    }
  }
}
