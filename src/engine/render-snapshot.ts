import type { FileEntry, FileMap } from './file-map.js';
import { policyMatcher, type PolicyOf } from './file-rules.js';
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
}

export interface RenderedSnapshot {
  readonly manifest: TemplateManifest;
  readonly variables: ResolvedVariables;
  readonly output: Map<string, FileEntry>;
  readonly policyOf: PolicyOf;
}

/** A template at one commit, rendered for one repository: manifest, variables, files, rules. */
export function renderSnapshot(input: SnapshotInput): RenderedSnapshot {
  const manifestFile = input.files.get(MANIFEST_FILE);
  if (!manifestFile) {
    throw new UserError(`The template at ${input.ref} has no ${MANIFEST_FILE}, so it is not a template-drift template`);
  }
  const manifest = parseManifest(manifestFile.content.toString('utf8'));
  const variables = resolveVariables(manifest, {
    repo: input.repo,
    ...(input.answers && { answers: input.answers }),
    ...(input.overrides && { overrides: input.overrides }),
  });
  const context = renderContext(variables, input.repo);
  const policyOf = policyMatcher(manifest.files, context, input.ignore);
  const output = renderTemplate({ files: input.files, root: manifest.root, context, policyOf });
  return { manifest, variables, output, policyOf };
}
