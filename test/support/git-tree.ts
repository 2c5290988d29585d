import { execFile } from 'node:child_process';
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

// Plain git and file-tree helpers, free of vitest so the demo can use them too.

const exec = promisify(execFile);

/** Runs git in `cwd` with array arguments; resolves to stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** A file's content, `null` to delete it, or `{ content, mode }` / `{ symlink }` for the rest. */
export type FileSpec = string | Buffer | null | { content: string | Buffer; executable?: boolean } | { symlink: string };
export type Tree = Record<string, FileSpec>;

export async function writeTree(dir: string, tree: Tree): Promise<void> {
  for (const [path, spec] of Object.entries(tree)) {
    const full = join(dir, path);
    await rm(full, { force: true, recursive: true });
    if (spec === null) continue;
    await mkdir(dirname(full), { recursive: true });
    if (typeof spec === 'object' && !Buffer.isBuffer(spec) && 'symlink' in spec) {
      await symlink(spec.symlink, full);
    } else if (typeof spec === 'object' && !Buffer.isBuffer(spec)) {
      await writeFile(full, spec.content);
      await chmod(full, spec.executable ? 0o755 : 0o644);
    } else {
      await writeFile(full, spec);
    }
  }
}

