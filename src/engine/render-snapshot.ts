import type { FileEntry, FileMap } from './file-map.js';
import { policyMatcher, type PolicyOf } from './file-rules.js';
import { RenderBudget, type RenderLimits } from './render-budget.js';
import { renderTemplate } from './render-template.js';
import { renderContext, resolveVariables, type RepoIdentity, type ResolvedVariables } from './resolve-variables.js';
import { MANIFEST_FILE, parseManifest, type TemplateManifest } from './template-manifest.js';
import { UserError } from './user-error.js';

export interface SnapshotInput {
  /** The template repository's files at one commit. */
  readonly files: FileMap;
  /** The ref people know this commit by, for messages. */
  readonly ref: string;
  readonly answers?: Readonly<Record<string, unknown>>;
  readonly overrides?: Readonly<Record<string, string>>;
  readonly repo: RepoIdentity;
  /** The repository's `ignore` globs. */
  readonly ignore?: readonly string[];
  /** Bounds on rendering this version (output size, time, nesting); the defaults when absent. */
  readonly limits?: RenderLimits;
}

export interface RenderedSnapshot {
  readonly manifest: TemplateManifest;
  readonly variables: ResolvedVariables;
  readonly output: Map<string, FileEntry>;
  readonly policyOf: PolicyOf;
}

/**
 * A template at one commit, rendered for one repository: manifest, variables, files, rules.
 * One budget covers the whole version (variable defaults, globs, paths and files together), so
 * a template cannot spread past the limit over many files.
 */
export function renderSnapshot(input: SnapshotInput): RenderedSnapshot {
  const budget = new RenderBudget(input.limits);
  const manifestFile = input.files.get(MANIFEST_FILE);
  if (!manifestFile) {
    throw new UserError(`The template at ${input.ref} has no ${MANIFEST_FILE}, so it is not a template-drift template`);
  }
  const manifest = parseManifest(manifestFile.content.toString('utf8'));
  const variables = resolveVariables(manifest, {
    repo: input.repo,
    budget,
    ...(input.answers && { answers: input.answers }),
    ...(input.overrides && { overrides: input.overrides }),
  });
  const context = renderContext(variables, input.repo);
  const policyOf = policyMatcher(manifest.files, context, input.ignore, budget);
  const output = renderTemplate({ files: input.files, root: manifest.root, context, policyOf, budget });
  return { manifest, variables, output, policyOf };
}
