import { posix } from 'node:path';
import { UserError } from './user-error.js';

/**
 * Refuses an output path that could escape the repository or touch git's own data. Template
 * content and answers are untrusted, so a rendered path is checked before anything uses it.
 */
export function assertSafeOutputPath(path: string, source: string): void {
  const problem = unsafeReason(path);
  if (problem) throw new UserError(`Template file ${source} renders to an unsafe path "${path}": ${problem}`);
}

function unsafeReason(path: string): string | undefined {
  if (path === '') return 'it is empty';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\')) return 'it must be relative and use /';
  if (path.includes('\0')) return 'it contains a NUL byte';
  const segments = path.split('/');
  if (segments.some((s) => s === '')) return 'it has an empty segment';
  if (segments.some((s) => s === '..' || s === '.')) return 'it contains . or ..';
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'it writes inside .git';
  return undefined;
}

/**
 * A symlink in a template is kept only when its target stays inside the output, so that
 * rendering can never make a repository point at the host's files.
 */
export function assertSymlinkInside(linkPath: string, target: string): void {
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  const inside = !posix.isAbsolute(target) && resolved !== '..' && !resolved.startsWith('../');
  const touchesGit = resolved.split('/').some((s) => s.toLowerCase() === '.git');
  if (!inside || touchesGit) {
    throw new UserError(`Template symlink ${linkPath} points outside the output ("${target}"); refusing it`);
  }
}
