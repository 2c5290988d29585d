import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { cacheDirOf } from './cache-dir.js';

/** What the bundle exports (src/cli/program.ts). */
export interface CliModule {
  runCli(argv: readonly string[]): Promise<number>;
}

export interface LoadedBundle {
  readonly cli: CliModule;
  /** After the command ran: keeps V8's code for the next start if there was none (or V8 refused it). */
  saveCodeCache(): void;
}

/**
 * Runs the bundled CLI (a CommonJS script) through `vm.Script` with V8's code cache, the one
 * cache Node 20 offers (`module.enableCompileCache` is Node 22). Compiling the 1.8 MB bundle is
 * most of the start-up cost; from the cache V8 takes the compiled functions instead, including
 * those the last command ran. The cache is named by the bundle's hash and Node's version, and
 * V8 checks its own version and flags, so a stale or damaged cache is only ignored and rewritten.
 * A cache that cannot be read or written costs the compile, never the command.
 */
export function loadBundle(file: string, env: NodeJS.ProcessEnv = process.env): LoadedBundle {
  const source = readFileSync(file, 'utf8');
  const key = createHash('sha256').update(process.version).update(process.arch).update(source).digest('hex').slice(0, 32);
  const cacheFile = join(cacheDirOf(env), 'code-cache', `${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The same wrapper Node puts around a CommonJS module, so the bundle sees what it expects.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: file, ...(cachedData && { cachedData }) });
  const module = { exports: {} as CliModule };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return {
    cli: module.exports,
    saveCodeCache() {
      if (cachedData && !script.cachedDataRejected) return;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        // Written beside and renamed, so a process starting meanwhile never reads half a cache.
        const scratch = `${cacheFile}.${process.pid}`;
        writeFileSync(scratch, script.createCachedData());
        renameSync(scratch, cacheFile);
      } catch {
        // A read-only or full cache folder: the next start compiles again.
      }
    },
  };
}
