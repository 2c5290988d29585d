import { isBinaryFileSync } from 'isbinaryfile';
import picomatch from 'picomatch';
import type { FileEntry, FileMap } from '../file-map.js';
import { SYMLINK } from '../file-map.js';
import type { PolicyOf } from '../file-rules.js';
import type { RenderBudget } from '../render-budget.js';
import { assertSafeOutputPath, assertSafeOutputTree, assertShortSegments } from '../safe-path.js';
import { UserError } from '../user-error.js';
import type { CookiecutterTemplate } from './cookiecutter-template.js';
import type { CookiecutterJinja } from './jinja-env.js';

/** A hook script as cookiecutter runs it: rendered as Jinja first. */
export interface RenderedHook {
  readonly name: 'pre_gen_project' | 'post_gen_project';
  /** Its path in the template repository (`hooks/post_gen_project.py`). */
  readonly file: string;
  readonly script: Buffer;
}

export interface CookiecutterRenderInput {
  readonly files: FileMap;
  readonly template: CookiecutterTemplate;
  /** `{ cookiecutter: variables }`. */
  readonly context: object;
  readonly jinja: CookiecutterJinja;
  readonly policyOf: PolicyOf;
  readonly budget: RenderBudget;
}

/**
 * Python's fnmatch, which `_copy_without_render` uses: `*` crosses `/` (picomatch's bash mode
 * treats a single star as a globstar), dotfiles match, braces and extglobs are plain text.
 */
const FNMATCH = { bash: true, dot: true, nobrace: true, noextglob: true } as const;

const HOOKS = ['pre_gen_project', 'post_gen_project'] as const;

/**
 * The files cookiecutter 2.x writes: the top folder's content, each path rendered as Jinja; a
 * folder or file matching `_copy_without_render` copied without rendering (a folder's own name
 * is rendered, the names inside it are not); binary files copied; text rendered with its line
 * endings kept (cookiecutter reads the first line's, or `_new_lines`); the executable bit kept.
 * A file whose name renders empty is not written (`{% if x %}name{% endif %}`), as in cookiecutter.
 */
export function renderCookiecutter(input: CookiecutterRenderInput): Map<string, FileEntry> {
  const { template, jinja, budget } = input;
  const prefix = `${template.topFolder}/`;
  const copyOnly = template.copyWithoutRender.length > 0 ? picomatch([...template.copyWithoutRender], FNMATCH) : () => false;
  const output = new Map<string, FileEntry>();
  const sourceOf = new Map<string, string>();
  for (const [sourcePath, entry] of [...input.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!sourcePath.startsWith(prefix)) continue;
    const relative = sourcePath.slice(prefix.length);
    const renderPath = (text: string) => (text.includes('{') ? jinja.render(text, input.context, `path of ${sourcePath}`, `path:${relative}`) : text);
    const copiedFolder = copiedAncestor(relative, copyOnly);
    const path = copiedFolder
      ? `${renderPath(copiedFolder)}${relative.slice(copiedFolder.length)}`
      : renderPath(relative);
    if (path.endsWith('/') || path === '') continue;
    assertSafeOutputPath(path, sourcePath);
    assertShortSegments(path, sourcePath);
    if (input.policyOf(path) === 'exclude') continue;
    const earlier = sourceOf.get(path);
    if (earlier !== undefined) throw new UserError(`Template files ${earlier} and ${sourcePath} both render to ${path}`);
    sourceOf.set(path, sourcePath);

    const copied = copiedFolder !== undefined || copyOnly(relative) || entry.mode === SYMLINK || isBinaryFileSync(entry.content);
    // Rendered text is counted as it is rendered; copied bytes are output too.
    if (copied) counted(budget, entry.content.length + path.length, sourcePath);
    output.set(path, copied ? entry : renderFile(entry, relative, sourcePath, input));
  }
  assertSafeOutputTree(output);
  return output;
}

/** The hooks cookiecutter would run (`hooks/pre_gen_project.py`, `.sh`, …), rendered. */
export function renderHooks(files: FileMap, context: object, jinja: CookiecutterJinja): RenderedHook[] {
  const hooks: RenderedHook[] = [];
  for (const [path, entry] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const match = /^hooks\/([^/]+)$/.exec(path);
    const stem = match?.[1]!.replace(/\.[^.]*$/, '');
    const name = HOOKS.find((hook) => hook === stem);
    if (!name || path.endsWith('~') || entry.mode === SYMLINK) continue;
    const script = jinja.render(entry.content.toString('utf8'), context, path, `hook:${path}`);
    hooks.push({ name, file: path, script: Buffer.from(script, 'utf8') });
  }
  return hooks;
}

/** The folder of `relative` that `_copy_without_render` names, outermost first (cookiecutter copies it whole). */
function copiedAncestor(relative: string, copyOnly: (path: string) => boolean): string | undefined {
  const segments = relative.split('/');
  for (let i = 1; i < segments.length; i++) {
    const folder = segments.slice(0, i).join('/');
    if (copyOnly(folder)) return folder;
  }
  return undefined;
}

function renderFile(entry: FileEntry, relative: string, sourcePath: string, input: CookiecutterRenderInput): FileEntry {
  const source = entry.content.toString('utf8');
  const newline = input.template.newLines ?? firstLineEnding(source);
  // Jinja reads every line ending as \n; Python writes \n back as the file's own.
  const text = input.jinja.render(source.replace(/\r\n?/g, '\n'), input.context, sourcePath, `file:${relative}`);
  const content = newline === '\n' ? text : text.replace(/\n/g, newline);
  return { content: Buffer.from(content, 'utf8'), mode: entry.mode };
}

function firstLineEnding(source: string): string {
  const end = source.search(/[\r\n]/);
  if (end < 0) return '\n';
  return source[end] === '\r' ? (source[end + 1] === '\n' ? '\r\n' : '\r') : '\n';
}

function counted(budget: RenderBudget, length: number, sourcePath: string): void {
  try {
    budget.produced(length);
  } catch (error) {
    throw new UserError(`${sourcePath}: ${(error as Error).message}`, { cause: error });
  }
}
