import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The render process's script as scripts/bundle-cli.js bundles it, beside the bundled CLI. */
const BUNDLED = 'render-child.cjs';

let entry: Promise<string[]> | undefined;

/**
 * The Node arguments that run the render process's script. The bundled one (one file, without
 * Handlebars: it starts in half the time of the ES modules) wherever it is as new as what runs:
 * beside the bundled CLI, in dist/cli beside dist/ for the app, and for the TypeScript sources
 * (tests, the bench) when it is newer than every source file. Otherwise dist/'s own module, or
 * the source through tsx's loader (some 250 ms more at each start).
 */
export function renderChildEntry(): Promise<string[]> {
  entry ??= findEntry(typeof import.meta.url === 'string' ? fileURLToPath(import.meta.url) : __filename);
  return entry;
}

async function findEntry(here: string): Promise<string[]> {
  const folder = dirname(here);
  if (here.endsWith('.cjs')) return [join(folder, BUNDLED)];
  const bundled = join(folder, '..', ...(here.endsWith('.ts') ? ['..', 'dist'] : []), 'cli', BUNDLED);
  const built = await modified(bundled);
  if (here.endsWith('.ts')) {
    if (built !== undefined && (await newestSource(join(folder, '..'))) <= built) return [bundled];
    return ['--import', pathToFileURL(createRequire(here).resolve('tsx')).href, join(folder, 'render-child.ts')];
  }
  const module = join(folder, 'render-child.js');
  return built !== undefined && (await modified(module) ?? Infinity) <= built ? [bundled] : [module];
}

function modified(file: string): Promise<number | undefined> {
  return stat(file).then((stats) => stats.mtimeMs, () => undefined);
}

async function newestSource(dir: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.ts'));
  const times = await Promise.all(files.map((name) => stat(join(dir, name)).then((stats) => stats.mtimeMs)));
  return Math.max(0, ...times);
}
