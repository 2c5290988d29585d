import type { FileEntry, FileMap } from './file-map.js';
import { SYMLINK } from './file-map.js';
import { renderText } from './handlebars-env.js';
import { policyMatcherWith, type PolicyOf } from './file-rules.js';
import { RenderBudget } from './render-budget.js';
import { assertSafeOutputPath, assertSafeOutputTree } from './safe-path.js';
import { MANIFEST_FILE, type FileRules } from './template-manifest.js';
import { UserError } from './user-error.js';

const RENDER_SUFFIX = '.hbs';
/** No file system or git checkout takes a longer file or folder name (NAME_MAX). */
const MAX_SEGMENT_BYTES = 255;

export interface RenderInput {
  /** The template repository's files at one commit, paths relative to its root. */
  readonly files: FileMap;
  /** The manifest's root folder ('' for the repository root). */
  readonly root: string;
  readonly context: object;
  /** Decides exclusion: an excluded path is never rendered at all. */
  readonly policyOf: PolicyOf;
  /** What the whole template version may still render: every file's content and path counts. */
  readonly budget?: RenderBudget;
}

/** The policies of template.yml's `files:`, its globs rendered as Handlebars with the variables (see policyMatcherWith). */
export function policyMatcher(rules: FileRules, context: object, ignore: readonly string[] = [], budget?: RenderBudget): PolicyOf {
  return policyMatcherWith(rules, ignore, (glob, list) => renderText(glob, context, `template.yml files.${list} glob "${glob}"`, budget));
}

/**
 * Turns a template's files into the files a repository should contain. Path segments are
 * rendered; `.hbs` files are rendered and lose the suffix; everything else, binary or not, is
 * copied byte for byte. Every output path, and the output as a tree, is checked before it is accepted.
 */
export function renderTemplate(input: RenderInput): Map<string, FileEntry> {
  const budget = input.budget ?? new RenderBudget();
  const prefix = input.root === '' ? '' : `${input.root}/`;
  const output = new Map<string, FileEntry>();
  const sourceOf = new Map<string, string>();
  for (const [sourcePath, entry] of [...input.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (sourcePath === MANIFEST_FILE || !sourcePath.startsWith(prefix)) continue;
    const relative = sourcePath.slice(prefix.length);
    const isTemplate = entry.mode !== SYMLINK && relative.endsWith(RENDER_SUFFIX);
    const path = renderPath(isTemplate ? relative.slice(0, -RENDER_SUFFIX.length) : relative, sourcePath, input.context, budget);
    if (input.policyOf(path) === 'exclude') continue;

    const earlier = sourceOf.get(path);
    if (earlier !== undefined) {
      throw new UserError(`Template files ${earlier} and ${sourcePath} both render to ${path}`);
    }
    sourceOf.set(path, sourcePath);
    output.set(path, renderEntry(entry, sourcePath, isTemplate, input.context, budget));
  }
  assertSafeOutputTree(output);
  return output;
}

function renderPath(relative: string, sourcePath: string, context: object, budget: RenderBudget): string {
  const rendered = relative.includes('{{');
  const path = rendered ? renderText(relative, context, `path of ${sourcePath}`, budget) : relative;
  if (!rendered) counted(budget, path.length, sourcePath);
  assertSafeOutputPath(path, sourcePath);
  if (path.split('/').some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) {
    throw new UserError(`Template file ${sourcePath} renders a file or folder name longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return path;
}

function renderEntry(entry: FileEntry, sourcePath: string, isTemplate: boolean, context: object, budget: RenderBudget): FileEntry {
  if (!isTemplate) {
    counted(budget, entry.content.length, sourcePath);
    return entry;
  }
  const rendered = renderText(entry.content.toString('utf8'), context, sourcePath, budget);
  return { content: Buffer.from(rendered, 'utf8'), mode: entry.mode };
}

/** Copied bytes are output too; an error names the file the limit was passed at. */
function counted(budget: RenderBudget, length: number, sourcePath: string): void {
  try {
    budget.produced(length);
  } catch (error) {
    throw new UserError(`${sourcePath}: ${(error as Error).message}`, { cause: error });
  }
}
