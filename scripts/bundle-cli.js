// Bundles the CLI into one CommonJS script, dist/cli/template-drift.cjs, which dist/cli/main.js
// loads through V8's code cache (src/cli/bundle-loader.ts). One file instead of ~370 modules,
// and a script (not an ES module) because Node 20 keeps code caches only for scripts.
// `npm run build` runs it after tsc; the tests' global setup runs it too.
import { build } from 'esbuild';
import { copyFile } from 'node:fs/promises';
import { argv } from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUNDLE = 'dist/cli/template-drift.cjs';
/** minijinja-js reads its WebAssembly from beside its module, which is the bundle once bundled. */
export const BUNDLED_WASM = 'dist/cli/minijinja_js_bg.wasm';

export async function bundleCli(root = join(dirname(fileURLToPath(import.meta.url)), '..')) {
  await build({
    entryPoints: [join(root, 'src/cli/program.ts')],
    outfile: join(root, BUNDLE),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // src/engine/cookiecutter/minijinja.ts reaches minijinja through `require` or, in ES modules, import.meta.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  await copyFile(join(root, 'node_modules/minijinja-js/dist/node/minijinja_js_bg.wasm'), join(root, BUNDLED_WASM));
}

if (argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
