import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE, parseManifest, type TemplateManifest, type VariableSpec } from '../src/engine/template-manifest.js';
import { git, templateRepo, type Tree } from './fixtures.js';

export const BUILTIN_TEMPLATE = fileURLToPath(new URL('../templates/django-service', import.meta.url));

export interface BuiltinTemplate {
  readonly dir: string;
  readonly variables: Record<string, string>;
  readonly files: number;
  readonly changed: number;
}

/**
 * templates/django-service copied into a git repository as v1.0.0, and v1.1.0 made from it by
 * appending a line to every tenth text file. The reason, as a string, when it is not there yet.
 */
export async function builtinTemplate(): Promise<BuiltinTemplate | string> {
  if (!existsSync(join(BUILTIN_TEMPLATE, MANIFEST_FILE))) return `${BUILTIN_TEMPLATE} has no ${MANIFEST_FILE} (yet)`;
  const manifest = parseManifest(await readFile(join(BUILTIN_TEMPLATE, MANIFEST_FILE), 'utf8'));
  let files = 0;
  let changed = 0;
  const dir = await templateRepo(
    'django',
    (target) => cp(BUILTIN_TEMPLATE, target, { recursive: true, verbatimSymlinks: true, filter: (source) => basename(source) !== '.git' }),
    async (target) => {
      const changes: Tree = {};
      const listing = (await git(target, 'ls-files', '-s', '-z')).split('\0').filter(Boolean);
      const prefix = manifest.root === '' ? '' : `${manifest.root}/`;
      const paths = listing.filter((record) => !record.startsWith('120000')).map((record) => record.slice(record.indexOf('\t') + 1));
      const rendered = paths.filter((path) => path !== MANIFEST_FILE && path.startsWith(prefix));
      files = rendered.length;
      for (const [index, path] of rendered.entries()) {
        if (index % 10 !== 5) continue;
        const content = await readFile(join(target, path));
        if (content.includes(0)) continue;
        const text = content.toString('utf8');
        changes[path] = `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}# changed in v1.1.0\n`;
      }
      changed = Object.keys(changes).length;
      return changes;
    },
  );
  return { dir, variables: guessVariables(manifest), files, changed };
}

/** Values for the variables with no default: the first choice, or a name the pattern accepts. */
function guessVariables(manifest: TemplateManifest): Record<string, string> {
  const values: Record<string, string> = {};
  for (const spec of manifest.variables) {
    if (spec.default === undefined) values[spec.name] = guess(spec);
  }
  return values;
}

function guess(spec: VariableSpec): string {
  if (spec.choices) return String(spec.choices[0]);
  if (spec.type === 'boolean') return 'true';
  if (spec.type === 'number') return '1';
  const candidates = ['bench_service', 'bench-service', 'benchservice', 'BenchService', 'bench', 'bench.example.com', 'bench@example.com', 'v1'];
  return candidates.find((candidate) => !spec.pattern || spec.pattern.test(candidate)) ?? 'bench_service';
}
