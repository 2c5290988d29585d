import { createRequire } from 'node:module';
import type * as MinijinjaModule from 'minijinja-js';

type Minijinja = typeof MinijinjaModule;

let loaded: Minijinja | undefined;

/**
 * minijinja, loaded on first use: compiling its WebAssembly takes some 40 ms, which a CLI run on a
 * Handlebars template should not pay. The bundled CLI (a CommonJS script) has `require`, and
 * esbuild bundles the module behind it; the ES modules of dist/ ask Node's own require.
 */
export function minijinja(): Minijinja {
  if (!loaded) {
    loaded = typeof require === 'function'
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would load it at start-up
      ? (require('minijinja-js') as Minijinja)
      : (createRequire(import.meta.url)('minijinja-js') as Minijinja);
  }
  return loaded;
}
