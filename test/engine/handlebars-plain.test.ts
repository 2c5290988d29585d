import Handlebars from 'handlebars';
import { camelCase, kebabCase, pascalCase, snakeCase } from 'change-case';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderText } from '../../src/engine/handlebars-env.js';
import { RenderBudget, renderLimits } from '../../src/engine/render-budget.js';

const RUNS = Number(process.env.TEMPLATE_DRIFT_PROPERTY_RUNS ?? 15) * 100;

/** Names that are variables, helpers, prototype members, or nothing at all. */
const name = fc.constantFrom('a', 'b', 'c', 'port', 'upper', 'if', 'each', 'constructor', 'toString', 'missing');
const path = fc.oneof(name, fc.tuple(name, name).map(([x, y]) => `${x}.${y}`), fc.constantFrom('this', 'this.a', '../a', '@root.a', 'a/b', '[a]', '@index'));
const textPiece = fc.oneof(
  fc.constantFrom('', ' ', '\n', '  \n', 'x', '{', '}', '\\{{a}}', '\\\\', '{{', '}}', '\t', 'é', '0', '\r\n'),
  fc.string({ maxLength: 6 }),
);

/** Template sources made of the plain kind mostly, with enough of everything else (and broken syntax) to cross the border. */
const source: fc.Arbitrary<string> = fc.letrec<{ body: string; piece: string }>((tie) => ({
  body: fc.array(tie('piece'), { maxLength: 6 }).map((pieces) => pieces.join('')),
  piece: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    textPiece,
    path.map((p) => `{{${p}}}`),
    fc.tuple(fc.constantFrom('', '~'), path, fc.constantFrom('', '~')).map(([l, p, r]) => `{{${l}${p}${r}}}`),
    path.map((p) => `{{{${p}}}}`),
    fc.tuple(fc.constantFrom('upper', 'lower', 'snake', 'kebab', 'camel', 'pascal', 'eq', 'not', 'lookup'), path).map(([h, p]) => `{{${h} ${p}}}`),
    fc.constantFrom('{{upper a b}}', '{{upper "x"}}', '{{upper (lower a)}}', '{{a x=1}}', '{{"text"}}', '{{1}}', '{{! note }}', '{{!-- {{a}} --}}', '{{> p}}', '{{log a}}', '{{#if}}', '{{else}}', '{{/if}}'),
    fc.tuple(fc.constantFrom('if', 'unless', '~if', 'if~'), path, tie('body'), fc.option(tie('body'), { nil: undefined }), fc.constantFrom('', '\n'))
      .map(([helper, p, then, otherwise, nl]) => `{{#${helper} ${p}}}${nl}${then}${otherwise === undefined ? '' : `{{else}}${nl}${otherwise}`}{{/${helper.replace(/~/g, '')}}}${nl}`),
    fc.tuple(path, tie('body'), tie('body'), path).map(([p, x, y, q]) => `{{#if ${p}}}${x}{{else if ${q}}}${y}{{/if}}`),
    fc.tuple(path, tie('body')).map(([p, x]) => `{{#each ${p}}}${x}{{/each}}`),
    fc.tuple(path, tie('body')).map(([p, x]) => `{{#with ${p}}}${x}{{/with}}`),
    fc.tuple(path, tie('body')).map(([p, x]) => `{{#if ${p} includeZero=true}}${x}{{/if}}`),
  ),
})).body;

const scalar = fc.oneof(fc.string({ maxLength: 5 }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, -0, 1.5, 1e21, NaN, true, false, null, ''), fc.boolean());
const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'constructor'), tie('value'), { maxKeys: 3 }),
  ),
})).value;
const context = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'port', 'upper', 'if', 'constructor', 'toString'), value, { maxKeys: 6 });

type Outcome = { output: string } | { error: string };

function outcome(render: () => string): Outcome {
  try {
    return { output: render() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Handlebars itself, set up as the engine sets it up, without any shortcut or budget. */
function handlebarsCompile(template: string, data: object): Outcome {
  const env = Handlebars.create();
  const values = (args: unknown[]) => args.slice(0, -1);
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');
  env.registerHelper({
    eq: (...args: unknown[]) => values(args)[0] === values(args)[1],
    not: (...args: unknown[]) => !values(args)[0],
    log: () => { throw new Error('log'); },
    snake: (value: unknown) => snakeCase(text(value)), kebab: (value: unknown) => kebabCase(text(value)),
    camel: (value: unknown) => camelCase(text(value)), pascal: (value: unknown) => pascalCase(text(value)),
    upper: (value: unknown) => text(value).toUpperCase(), lower: (value: unknown) => text(value).toLowerCase(),
  });
  const options = { noEscape: true, strict: true, data: true, preventIndent: true, knownHelpers: { helperMissing: false, blockHelperMissing: false } };
  // The engine marks every path strict (helper arguments too); Handlebars.compile takes the parsed tree so marked.
  return outcome(() => env.compile(strictPaths(env.parse(template)), options)(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false }));
}

function strictPaths<T>(node: T): T {
  if (Array.isArray(node)) node.forEach(strictPaths);
  else if (node && typeof node === 'object') {
    if ((node as { type?: string }).type === 'PathExpression') (node as { strict?: boolean }).strict = true;
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') strictPaths(child);
  }
  return node;
}

describe('rendering without code generation (the plain shortcut)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('generates no code for a plain template, and compiles what is not plain or cannot be answered plainly', () => {
    // Every Handlebars environment shares one JavaScriptCompiler class; sources are new, so nothing comes from the cache.
    const compiler = (Handlebars as unknown as { JavaScriptCompiler: { prototype: { compile: () => unknown } } }).JavaScriptCompiler.prototype;
    const compile = vi.spyOn(compiler, 'compile');
    const id = `${Date.now()}-${Math.random()}`;
    const data = { a: 'pay', b: 'x', c: false, list: [1, 2] };
    expect(renderText(`${id} {{a}} {{upper b}} {{#if c}}yes{{else}}no{{/if}}{{! note }}\n`, data, 'f')).toBe(`${id} pay X no\n`);
    expect(compile).not.toHaveBeenCalled();
    expect(renderText(`${id} {{#each list}}{{this}}{{/each}}`, data, 'f')).toBe(`${id} 12`);
    expect(compile).toHaveBeenCalled(); // once per program: the body and the block's
    compile.mockClear();
    expect(() => renderText(`${id} {{missing}}`, data, 'f')).toThrow('f: line 1: "missing" is not a declared variable');
    expect(compile).toHaveBeenCalledTimes(1);
  });

  it('gives what the compiled template gives, output and errors, for random templates and contexts', () => {
    fc.assert(fc.property(source, context, (template, data) => {
      const shortcut = outcome(() => renderText(template, data, 'f.hbs'));
      expect(shortcut).toEqual(outcome(() => renderText(template, data, 'f.hbs', new RenderBudget(), false)));
    }), { numRuns: RUNS });
  });

  it('stops at the same render limit, with the same message, as the compiled template', () => {
    fc.assert(fc.property(source, context, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }), (template, data, maxOutput, maxDepth) => {
      const limits = { ...renderLimits(), maxOutput, maxDepth };
      const shortcut = outcome(() => renderText(template, data, 'f.hbs', new RenderBudget(limits)));
      expect(shortcut).toEqual(outcome(() => renderText(template, data, 'f.hbs', new RenderBudget(limits), false)));
    }), { numRuns: RUNS });
  });

  it('agrees with Handlebars.compile: the same output, and an error wherever Handlebars has one', () => {
    fc.assert(fc.property(source, context, (template, data) => {
      const ours = outcome(() => renderText(template, data, 'f.hbs'));
      const theirs = handlebarsCompile(template, data);
      // The engine words Handlebars' errors for people; which renders fail, and what the others give, is the same.
      if ('error' in theirs) expect(ours).toHaveProperty('error');
      else expect(ours).toEqual(theirs);
    }), { numRuns: RUNS });
  });

  it('adds numbers side by side as the code Handlebars generates does', () => {
    const data = { a: 5, b: 6, c: 'x', d: true, list: [] };
    expect(renderText('{{a}}{{b}}', data, 'f')).toBe('11');
    expect(renderText('{{c}}{{a}}{{b}}', data, 'f')).toBe('x56');
    expect(renderText('{{a}}{{d}}', data, 'f')).toBe('6');
    expect(renderText('{{#if list}}y{{else}}{{upper c}}{{/if}}{{#unless d}}n{{/unless}}', data, 'f')).toBe('X');
    expect(renderText('{{a}}{{#if list}}y{{/if}}{{b}}', data, 'f')).toBe('56');
    for (const template of ['{{a}}{{b}}', '{{c}}{{a}}{{b}}', '{{a}}{{d}}', '{{#if list}}y{{else}}{{upper c}}{{/if}}', '{{a}}{{#if list}}y{{/if}}{{b}}']) {
      expect({ output: renderText(template, data, 'f') }).toEqual(handlebarsCompile(template, data));
    }
  });
});
