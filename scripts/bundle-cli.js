// Bundles the CLI into one CommonJS script, dist/cli/template-drift.cjs, which dist/cli/main.js
// loads through V8's code cache (src/cli/bundle-loader.ts). One file instead of ~370 modules,
// and a script (not an ES module) because Node 20 keeps code caches only for scripts.
// `npm run build` runs it after tsc; the tests' global setup runs it too.
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { copyFile, writeFile } from 'node:fs/promises';
import { argv } from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUNDLE = 'dist/cli/template-drift.cjs';
/** The render process the bundled CLI starts for cookiecutter templates (src/sandbox/render-child.ts), beside it. */
export const RENDER_CHILD = 'dist/cli/render-child.cjs';
/** minijinja-js reads its WebAssembly from beside its module, which is the bundle once bundled. */
export const BUNDLED_WASM = 'dist/cli/minijinja_js_bg.wasm';
/** The bundle's first line: its digest, so the loader names its code cache without hashing 1.5 MB at every start. */
export const HEADER = '// template-drift bundle sha256=';

const OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Without comments and indentation the script is a third smaller and all ASCII (esbuild
  // escapes the rest), so it reads as Latin-1 and V8 holds it one byte a character; names
  // stay, so a --debug stack still says where. Licences go beside it.
  minifyWhitespace: true,
  charset: 'ascii',
  legalComments: 'external',
  logLevel: 'warning',
  // minijinja.ts and the render process's entry are found through `require` / `__filename` or,
  // in ES modules, import.meta.
  logOverride: { 'empty-import-meta': 'silent' },
};

export async function bundleCli(root = join(dirname(fileURLToPath(import.meta.url)), '..')) {
  const result = await build({ ...OPTIONS, entryPoints: [join(root, 'src/cli/program.ts')], outfile: join(root, BUNDLE), write: false });
  await build({ ...OPTIONS, entryPoints: [join(root, 'src/sandbox/render-child.ts')], outfile: join(root, RENDER_CHILD) });
  for (const file of result.outputFiles) {
    if (file.path !== join(root, BUNDLE)) {
      await writeFile(file.path, file.contents);
      continue;
    }
    if (file.contents.some((byte) => byte > 0x7f)) throw new Error(`${BUNDLE} is not ASCII; the loader reads it as Latin-1`);
    const digest = createHash('sha256').update(file.contents).digest('hex');
    await writeFile(file.path, Buffer.concat([Buffer.from(`${HEADER}${digest}\n`), file.contents]));
  }
  await copyFile(join(root, 'node_modules/minijinja-js/dist/node/minijinja_js_bg.wasm'), join(root, BUNDLED_WASM));
}

if (argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
