import Handlebars from 'handlebars';
import { camelCase, kebabCase, pascalCase, snakeCase } from 'change-case';
import { UserError } from './user-error.js';

type HelperArgs = unknown[];

/** Handlebars passes its options object last; helpers here only want the values. */
function values(args: HelperArgs): unknown[] {
  return args.slice(0, -1);
}

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

/**
 * One isolated Handlebars environment for all template rendering, so helpers registered here
 * never leak into (or pick up) anybody else's global Handlebars. Case helpers come from
 * change-case; the logic helpers are one-liners (the maintained helper collections drag in a
 * hundred unrelated helpers and their advisories).
 */
function createEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  env.registerHelper({
    snake: (value: unknown) => snakeCase(text(value)),
    kebab: (value: unknown) => kebabCase(text(value)),
    camel: (value: unknown) => camelCase(text(value)),
    pascal: (value: unknown) => pascalCase(text(value)),
    upper: (value: unknown) => text(value).toUpperCase(),
    lower: (value: unknown) => text(value).toLowerCase(),
    eq: (...args: HelperArgs) => values(args)[0] === values(args)[1],
    ne: (...args: HelperArgs) => values(args)[0] !== values(args)[1],
    and: (...args: HelperArgs) => values(args).every(Boolean),
    or: (...args: HelperArgs) => values(args).some(Boolean),
    not: (...args: HelperArgs) => !values(args)[0],
  });
  return env;
}

const env = createEnvironment();

/**
 * Renders one Handlebars text. `noEscape`: these are config files, not HTML, so `a & <b>` stays
 * as written. `strict`: a template that names a variable the manifest does not declare fails,
 * instead of silently rendering an empty string into a CI file. Prototype access stays off.
 *
 * `where` names the file (or "path of X", "default of Y") in the error a person sees.
 */
export function renderText(source: string, context: object, where: string): string {
  try {
    return compiled(source)(context);
  } catch (error) {
    throw new UserError(`${where}: ${describeHandlebarsError(error)}`, { cause: error });
  }
}

/**
 * Compiling is nearly all of rendering's cost, and the same sources come back again and again:
 * the base and target versions share most files, and the app renders one template for many
 * repositories. Compiled templates are kept by source text; the bound keeps memory flat.
 */
const cache = new Map<string, HandlebarsTemplateDelegate>();
const CACHE_LIMIT = 5000;

function compiled(source: string): HandlebarsTemplateDelegate {
  let template = cache.get(source);
  if (!template) {
    template = env.compile(strictEverywhere(env.parse(source)), { noEscape: true, strict: true });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, template);
  }
  return template;
}

/**
 * Handlebars' `strict` only checks plain `{{x}}`: a helper argument (`{{#if x}}`, `{{snake x}}`)
 * that names no variable is silently undefined, so a typo turns a feature off without a word.
 * Marking every path in the parsed template strict makes those fail too, with their line.
 */
function strictEverywhere<T>(node: T): T {
  if (Array.isArray(node)) {
    for (const child of node) strictEverywhere(child);
  } else if (node && typeof node === 'object') {
    if ((node as { type?: unknown }).type === 'PathExpression') (node as { strict?: boolean }).strict = true;
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') strictEverywhere(child);
  }
  return node;
}

function describeHandlebarsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Strict-mode failures read `"x" not defined in [object Object] - 3:7`; say it for people.
  const missing = /^"([^"]+)" not defined in .*? - (\d+):\d+$/s.exec(error.message);
  if (missing) return `line ${missing[2]}: "${missing[1]}" is not a declared variable (template.yml declares them)`;
  const parse = /^Parse error on line (\d+):\n([\s\S]*)$/.exec(error.message);
  if (parse) return `line ${parse[1]}: template syntax error\n${parse[2]}`;
  const located = /^(.*) - (\d+):\d+$/s.exec(error.message);
  if (located) return `line ${located[2]}: ${located[1]}`;
  return error.message;
}
