import Handlebars from 'handlebars';
import { camelCase, kebabCase, pascalCase, snakeCase } from 'change-case';
import { parseWithinBounds } from './handlebars-parse-bounds.js';
import { plainTemplate, renderPlain, type PlainNode, type TextTransforms } from './handlebars-plain.js';
import { outputLimitError, RenderBudget, RenderLimitError } from './render-budget.js';
import { UserError } from './user-error.js';

type HelperArgs = unknown[];
type Piece = (...args: unknown[]) => unknown;
/** A compiled template as Handlebars' JavaScriptCompiler returns it: `main`, numbered programs, decorators, flags. */
type TemplateSpec = Record<string, unknown>;

/** Handlebars passes its options object last; helpers here only want the values. */
function values(args: HelperArgs): unknown[] {
  return args.slice(0, -1);
}

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

/**
 * `noEscape`: these are config files, not HTML, so `a & <b>` stays as written. `strict`: a
 * template that names a variable the manifest does not declare fails, instead of silently
 * rendering an empty string into a CI file. `preventIndent`: an indented `{{> partial}}` is not
 * re-indented line by line, which would copy (and split) the partial's whole output once per
 * level of nesting, outside any count.
 */
const COMPILE_OPTIONS = {
  noEscape: true, strict: true, data: true, preventIndent: true,
  // Handlebars moves these two out of reach at run time; compiled as known helpers, naming
  // them in a template fails with a TypeError instead of "not a declared variable".
  knownHelpers: { helperMissing: false, blockHelperMissing: false },
} as const;


/**
 * Prototype access stays denied (handlebars >= 4.7.9 denies it by default). Saying so
 * explicitly also silences the warning Handlebars otherwise prints to the console for each
 * denied name, which would let a template write into the app's log (`{{lookup x "toString"}}`).
 */
const RUNTIME_OPTIONS = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false } as const;

/**
 * One isolated Handlebars environment for all template rendering, so helpers registered here
 * never leak into (or pick up) anybody else's global Handlebars, and no partial or decorator
 * registered elsewhere reaches a template. The logic helpers are one-liners (the maintained
 * helper collections drag in a hundred unrelated helpers and their advisories); the text
 * helpers are given per render, because what they make counts against that render's budget.
 * `log` is replaced: a template must not write into the process' log.
 */
function createEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  env.registerHelper({
    eq: (...args: HelperArgs) => values(args)[0] === values(args)[1],
    ne: (...args: HelperArgs) => values(args)[0] !== values(args)[1],
    and: (...args: HelperArgs) => values(args).every(Boolean),
    or: (...args: HelperArgs) => values(args).some(Boolean),
    not: (...args: HelperArgs) => !values(args)[0],
    log: (...args: HelperArgs) => {
      const { loc } = args.at(-1) as { loc?: { start: { line: number; column: number } } };
      throw new Error(`the log helper is disabled: a template cannot write into the log${loc ? ` - ${loc.start.line}:${loc.start.column}` : ''}`);
    },
  });
  env.log = () => undefined;
  return env;
}

const env = createEnvironment();

/** The text helpers (change-case, upper, lower), each of one text. */
const TEXT_TRANSFORMS: TextTransforms = {
  snake: snakeCase,
  kebab: kebabCase,
  camel: camelCase,
  pascal: pascalCase,
  upper: (value) => value.toUpperCase(),
  lower: (value) => value.toLowerCase(),
};

/** The text helpers for one render; each result counts as output as it is made. */
function textHelpers(budget: RenderBudget): Record<string, (value: unknown) => string> {
  return Object.fromEntries(Object.entries(TEXT_TRANSFORMS).map(([name, transform]) => [name, (value: unknown) => {
    const result = transform(text(value));
    budget.produced(result.length);
    return result;
  }]));
}

/**
 * Renders one Handlebars text within `budget` (one budget per template version, so the limit
 * holds for all its files together). `where` names the file (or "path of X", "default of Y")
 * in the error a person sees.
 */
export function renderText(source: string, context: object, where: string, budget: RenderBudget = new RenderBudget(), shortcut = true): string {
  try {
    budget.checkTime();
    const parsed = parsedTemplate(source, budget);
    if (shortcut && parsed.plain) {
      const output = renderPlain(parsed.plain, context, TEXT_TRANSFORMS, budget);
      if (output !== undefined) return output;
    }
    parsed.spec ??= compileSpec(parsed.ast);
    const template = env.template(metered(parsed.spec, budget));
    return template(context, { ...RUNTIME_OPTIONS, helpers: textHelpers(budget) });
  } catch (error) {
    throw new UserError(shorten(`${where}: ${describeHandlebarsError(error, budget)}`), { cause: error });
  }
}

/**
 * Every program Handlebars compiled (the template's body, each block's body, each inline
 * partial) runs inside the budget: entering one checks nesting and time, leaving it counts
 * what it added to the output. Partials, `{{#each}}` and block helpers all run programs, so
 * nothing that repeats output escapes the count.
 */
function metered(spec: TemplateSpec, budget: RenderBudget): TemplateSpec {
  const copy: TemplateSpec = { ...spec };
  for (const [key, value] of Object.entries(spec)) {
    if (typeof value === 'function' && (key === 'main' || /^\d+$/.test(key))) copy[key] = counted(value as Piece, budget);
  }
  return copy;
}

function counted(piece: Piece, budget: RenderBudget): Piece {
  return (...args) => {
    budget.enter();
    let output: unknown;
    try {
      output = piece(...args);
    } catch (error) {
      budget.abandon();
      throw error;
    }
    budget.leave(output);
    return output;
  };
}

/** The two compiler stages of `Handlebars.compile`, run here to keep the compiled spec (not part of its typings). */
interface Compilers {
  Compiler: new () => { compile(ast: hbs.AST.Program, options: object): unknown };
  JavaScriptCompiler: new () => { compile(environment: unknown, options: object, context: undefined, asObject: true): TemplateSpec };
}

/** A source as parsed once: its plain form when it has one (handlebars-plain.ts), its compiled spec once needed. */
interface ParsedTemplate {
  readonly ast: hbs.AST.Program;
  readonly plain?: PlainNode[];
  spec?: TemplateSpec;
}

/**
 * Compiling is nearly all of rendering's cost, and the same sources come back again and again:
 * the base and target versions share most files, and the app renders one template for many
 * repositories. Parsed templates are kept by source text, compiled only when the plain form
 * cannot answer; the bound keeps memory flat. Each render wraps the kept spec in its own budget.
 */
const cache = new Map<string, ParsedTemplate>();
const CACHE_LIMIT = 5000;

const isHelper = (name: string) => Object.hasOwn(env.helpers, name) || Object.hasOwn(TEXT_TRANSFORMS, name);

function parsedTemplate(source: string, budget: RenderBudget): ParsedTemplate {
  let parsed = cache.get(source);
  if (!parsed) {
    const ast = strictEverywhere(parseWithinBounds(env, source, budget.limits.maxDepth));
    const plain = plainTemplate(ast, isHelper, TEXT_TRANSFORMS);
    parsed = plain ? { ast, plain } : { ast, spec: compileSpec(ast) };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, parsed);
  }
  return parsed;
}

function compileSpec(ast: hbs.AST.Program): TemplateSpec {
  const compilers = env as unknown as Compilers;
  const options = { ...COMPILE_OPTIONS };
  const environment = new compilers.Compiler().compile(ast, options);
  return new compilers.JavaScriptCompiler().compile(environment, options, undefined, true);
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

function describeHandlebarsError(error: unknown, budget: RenderBudget): string {
  if (error instanceof RenderLimitError) return error.message;
  if (!(error instanceof Error)) return String(error);
  if (error instanceof RangeError && /Invalid string length/.test(error.message)) return outputLimitError(budget.limits.maxOutput).message;
  if (error instanceof RangeError && /call stack/.test(error.message)) return 'the template is nested too deeply to render';
  // Strict-mode failures read `"x" not defined in [object Object] - 3:7`; say it for people.
  const missing = /^"([^"]+)" not defined in .*? - (\d+):\d+$/s.exec(error.message);
  if (missing) return `line ${missing[2]}: "${shorten(missing[1]!, 80)}" is not a declared variable (template.yml declares them)`;
  const parse = /^Parse error on line (\d+):\n([\s\S]*)$/.exec(error.message);
  if (parse) return `line ${parse[1]}: template syntax error\n${parse[2]}`;
  const located = /^(.*) - (\d+):\d+$/s.exec(error.message);
  if (located) return `line ${located[2]}: ${located[1]}`;
  return error.message;
}

/** A message goes into an issue or a terminal: a template's 10 MB variable name must not. */
function shorten(message: string, max = 1000): string {
  return message.length <= max ? message : `${message.slice(0, max)}…`;
}
