import { execFileSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { tempDir } from './temp-repo.js';

const REAL_GIT = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/**
 * A `git` first on PATH that writes each command line to $TD_GIT_LOG and runs the real git:
 * which git processes a piece of code starts, seen from outside it. `install` puts it on this
 * process's PATH (children inherit it); `restore` takes it off. `makeDir` makes its folder, which
 * must outlive every test that uses it (a suite's shim wants a suite's folder).
 */
export async function gitLogShim(makeDir: (prefix: string) => Promise<string> = tempDir): Promise<{ install(): void; restore(): void; reset(): Promise<void>; commands(): Promise<string[]> }> {
  const bin = await makeDir('td-git-shim-');
  const log = join(bin, 'git.log');
  await writeFile(join(bin, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "$TD_GIT_LOG"\nexec ${REAL_GIT} "$@"\n`);
  await chmod(join(bin, 'git'), 0o755);
  let saved: string | undefined;
  return {
    install() {
      saved = process.env.PATH;
      process.env.PATH = `${bin}${delimiter}${saved ?? ''}`;
      process.env.TD_GIT_LOG = log;
    },
    restore() {
      process.env.PATH = saved;
      delete process.env.TD_GIT_LOG;
    },
    reset: () => writeFile(log, ''),
    commands: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
  };
}
