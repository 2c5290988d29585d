import type { CookiecutterRender } from '../engine/cookiecutter/cookiecutter-snapshot.js';

/** How a render failed, as the render process tells it. */
export type RenderFailure =
  /** A template error (a UserError; `limit`: one of the render limits), its message for people. */
  | { readonly kind: 'user' | 'limit'; readonly message: string }
  /** An allocation failed: the memory limit, met while rendering `source` (a file, a default) if known. */
  | { readonly kind: 'memory'; readonly source?: string }
  /** Anything else is a bug of ours. */
  | { readonly kind: 'bug'; readonly message: string; readonly stack?: string };

/** What it writes on its standard output (v8-serialized) before it exits. */
export type RenderAnswer = { readonly render: CookiecutterRender } | { readonly failure: RenderFailure };
