import type { FileEntry, FileMap } from './file-map.js';
import { SYMLINK } from './file-map.js';
import { renderText } from './handlebars-env.js';
import type { PolicyOf } from './file-rules.js';
import { assertSafeOutputPath, assertSafeOutputTree } from './safe-path.js';
import { MANIFEST_FILE } from './template-manifest.js';
import { UserError } from './user-error.js';

const RENDER_SUFFIX = '.hbs';

export interface RenderInput {
  /** The template repository's files at one commit, paths relative to its root. */
  readonly files: FileMap;
  /** The manifest's root folder ('' for the repository root). */
  readonly root: string;
  readonly context: object;
  /** Decides exclusion: an excluded path is never rendered at all. */
  readonly policyOf: PolicyOf;
}

/**
 * Turns a template's files into the files a repository should contain. Path segments are
 * rendered; `.hbs` files are rendered and lose the suffix; everything else, binary or not, is
 * copied byte for byte. Every output path, and the output as a tree, is checked before it is accepted.
 */
export function renderTemplate(input: RenderInput): Map<string, FileEntry> {
  const prefix = input.root === '' ? '' : `${input.root}/`;
  const output = new Map<string, FileEntry>();
  const sourceOf = new Map<string, string>();
  for (const [sourcePath, entry] of [...input.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (sourcePath === MANIFEST_FILE || !sourcePath.startsWith(prefix)) continue;
    const relative = sourcePath.slice(prefix.length);
    const isTemplate = entry.mode !== SYMLINK && relative.endsWith(RENDER_SUFFIX);
    const path = renderPath(isTemplate ? relative.slice(0, -RENDER_SUFFIX.length) : relative, sourcePath, input.context);
    if (input.policyOf(path) === 'exclude') continue;

    const earlier = sourceOf.get(path);
    if (earlier !== undefined) {
      throw new UserError(`Template files ${earlier} and ${sourcePath} both render to ${path}`);
    }
    sourceOf.set(path, sourcePath);
    output.set(path, renderEntry(entry, sourcePath, isTemplate, input.context));
  }
  assertSafeOutputTree(output);
  return output;
}

function renderPath(relative: string, sourcePath: string, context: object): string {
  const path = relative.includes('{{') ? renderText(relative, context, `path of ${sourcePath}`) : relative;
  assertSafeOutputPath(path, sourcePath);
  return path;
}

function renderEntry(entry: FileEntry, sourcePath: string, isTemplate: boolean, context: object): FileEntry {
  if (!isTemplate) return entry;
  const rendered = renderText(entry.content.toString('utf8'), context, sourcePath);
  return { content: Buffer.from(rendered, 'utf8'), mode: entry.mode };
}
