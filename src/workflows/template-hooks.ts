import type { RenderedHook } from '../engine/cookiecutter/render-cookiecutter.js';
import type { FileEntry, FileMap } from '../engine/file-map.js';
import type { RenderedSnapshot } from '../engine/render-snapshot.js';
import { UserError } from '../engine/user-error.js';

/** Runs a snapshot's hooks on its output, somewhere that is not the repository; resolves to the output they leave. */
export type HookRunner = (output: FileMap, hooks: readonly RenderedHook[]) => Promise<Map<string, FileEntry>>;

/** Whether the template's hooks may run here, and what to say when they may not. */
export interface HooksPolicy {
  /** Present only when whoever runs us trusts template code (`--trust`, TEMPLATE_DRIFT_TRUST_HOOKS). */
  readonly run?: HookRunner;
  /** The refusal, naming the hook files and how to allow them, in the words of the CLI or the app. */
  readonly refusal: (files: readonly string[]) => string;
}

/**
 * A rendered version as its hooks leave it. Hooks are the template's own code: without a runner
 * the version is refused (a UserError naming them), never rendered without them, since its
 * output would then differ from cookiecutter's.
 */
export async function afterHooks(snapshot: RenderedSnapshot, policy: HooksPolicy | undefined): Promise<RenderedSnapshot> {
  if (snapshot.hooks.length === 0) return snapshot;
  const files = snapshot.hooks.map((hook) => hook.file);
  if (!policy?.run) throw new UserError(policy?.refusal(files) ?? `The template runs hooks (${files.join(', ')}), which are not allowed here`);
  return { ...snapshot, output: await policy.run(snapshot.output, snapshot.hooks) };
}
