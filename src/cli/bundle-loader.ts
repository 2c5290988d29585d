import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { cacheDirOf } from './cache-dir.js';

/** The first line scripts/bundle-cli.js writes: the digest of the (ASCII) rest. */
const BUNDLE_HEADER = /^\/\/ template-drift bundle sha256=([0-9a-f]{64})\n/;

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
 * cache Node 20 offers (`module.enableCompileCache` is Node 22). Compiling the bundle is most of
 * the start-up cost; from the cache V8 takes the compiled functions instead, including those
 * the last command ran. The cache is named by the bundle's digest and Node's version, and V8
 * checks its own version and flags, so a stale or damaged cache is only ignored and rewritten.
 * A cache that cannot be read or written costs the compile, never the command.
 * The build writes the digest on the bundle's first line (scripts/bundle-cli.js), and only for
 * an all-ASCII bundle, which then reads as Latin-1, byte for character with no decoding; a
 * bundle without that line is read as UTF-8 and hashed here.
 */
export function loadBundle(file: string, env: NodeJS.ProcessEnv = process.env): LoadedBundle {
  const bytes = readFileSync(file);
  const header = BUNDLE_HEADER.exec(bytes.subarray(0, 128).toString('latin1'));
  const source = bytes.toString(header ? 'latin1' : 'utf8');
  const digest = header?.[1] ?? createHash('sha256').update(source).digest('hex');
  const key = createHash('sha256').update(process.version).update(process.arch).update(digest).digest('hex').slice(0, 32);
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
