import type { Tree } from './fixtures.js';

const MANIFEST = `name: synthetic-service
variables:
  service_name: { pattern: "^[a-z][a-z0-9_]*$" }
  python_version: { default: "3.12" }
  port: { default: 8000 }
  use_celery: { default: false }
files:
  enforce: ["ci/**"]
  scaffold: ["scaffold/**"]
`;

export const SYNTHETIC_VARIABLES = { service_name: 'payments' } as const;

/** Seven folders (some nested, two with a rendered name), so changes spread over all of them. */
const FOLDERS = ['', 'src/{{service_name}}', 'src/{{service_name}}/api/v1', 'config', 'ci', 'docs/guides/advanced', 'scaffold'];

/** Every fifth line of a `.hbs` file uses the variables. */
const VARIABLE_LINES = [
  'service = "{{service_name}}"',
  'SERVICE = "{{upper service_name}}"',
  'python = "{{python_version}}"',
  'port = {{port}}',
  '{{#if use_celery}}worker = "celery"{{else}}worker = "none"{{/if}}',
  'class {{pascal service_name}}Config: pass',
];

const LINES = 30;
const CHANGED_LINE = 17;

function pathOf(index: number): string {
  const folder = FOLDERS[index % FOLDERS.length]!;
  const name = index % 3 === 2 ? `notes_${index}.md` : `module_${index}.py.hbs`;
  return folder === '' ? name : `${folder}/${name}`;
}

function contentOf(index: number, changed: boolean): string {
  const template = index % 3 !== 2;
  const lines: string[] = [];
  for (let line = 0; line < LINES; line++) {
    if (template && line % 5 === 0) lines.push(VARIABLE_LINES[line / 5]!);
    else lines.push(`line ${line} of file ${index}: fixed text that gives the file a realistic length`);
  }
  if (changed) lines[CHANGED_LINE] = `line ${CHANGED_LINE} of file ${index}: changed in v1.1.0`;
  return `${lines.join('\n')}\n`;
}

/**
 * `count` files (about two thirds `.hbs` with variables, the rest plain) plus template.yml.
 * v1.1.0 changes about 10%: a line in every tenth file, one in a hundred deleted, 1% added.
 */
export function syntheticTemplate(count: number): { v1: Tree; v2: Tree; changed: number } {
  const v1: Tree = { 'template.yml': MANIFEST };
  const v2: Tree = {};
  for (let index = 0; index < count; index++) {
    v1[pathOf(index)] = contentOf(index, false);
    if (index % 100 === 0) v2[pathOf(index)] = null;
    else if (index % 10 === 0) v2[pathOf(index)] = contentOf(index, true);
  }
  for (let index = count; index < count + count / 100; index++) v2[pathOf(index)] = contentOf(index, false);
  return { v1, v2, changed: Object.keys(v2).length };
}
