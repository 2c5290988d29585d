import type { RenderBudget } from './render-budget.js';

/**
 * A template of the plainest kind, evaluated from its parsed tree without Handlebars' code
 * generation (most of rendering's cost the first time a source is seen): text, `{{a.b}}`,
 * `{{upper a}}` (a text helper of one variable), `{{#if a}}…{{else}}…{{/if}}` and `{{#unless}}`.
 * Anything else (each, with, partials, literals, data variables, other helpers, a value that
 * is not plain text or a variable that is missing) is left to Handlebars, whose answer,
 * errors included, is the one that counts; test/engine/handlebars-plain.test.ts checks that the
 * two agree on random templates and contexts.
 */
export type PlainNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'value'; readonly path: readonly string[] }
  | { readonly kind: 'helper'; readonly name: string; readonly path: readonly string[] }
  | { readonly kind: 'if'; readonly path: readonly string[]; readonly then?: readonly PlainNode[]; readonly otherwise?: readonly PlainNode[] };

/** The helpers a plain template may call: each turns one text into another. */
export type TextTransforms = Readonly<Record<string, (value: string) => string>>;

/** Names Handlebars treats specially (prototype access is denied by name too): always left to it. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

type Node = hbs.AST.Node;

/**
 * The plain form of a parsed template, or undefined when it uses anything beyond the plain kind.
 * `isHelper` tells names Handlebars would call as helpers, which a plain `{{name}}` must not be.
 */
export function plainTemplate(program: hbs.AST.Program, isHelper: (name: string) => boolean, transforms: TextTransforms): PlainNode[] | undefined {
  if (program.blockParams?.length) return undefined;
  const nodes: PlainNode[] = [];
  for (const statement of program.body) {
    const node = plainStatement(statement, isHelper, transforms);
    if (node === undefined) return undefined;
    if (node !== null) nodes.push(node);
  }
  return nodes;
}

function plainStatement(statement: Node, isHelper: (name: string) => boolean, transforms: TextTransforms): PlainNode | null | undefined {
  switch (statement.type) {
    case 'ContentStatement':
      return { kind: 'text', text: (statement as hbs.AST.ContentStatement).value };
    case 'CommentStatement':
      return null;
    case 'MustacheStatement': {
      const { path, params, hash } = statement as hbs.AST.MustacheStatement;
      if (hash?.pairs.length) return undefined;
      const name = plainPath(path);
      if (name === undefined) return undefined;
      if (params.length === 0) return isHelper(name[0]!) ? undefined : { kind: 'value', path: name };
      const argument = params.length === 1 ? plainPath(params[0]!) : undefined;
      if (name.length !== 1 || argument === undefined || !Object.hasOwn(transforms, name[0]!)) return undefined;
      return { kind: 'helper', name: name[0]!, path: argument };
    }
    case 'BlockStatement': {
      const block = statement as hbs.AST.BlockStatement;
      const helper = plainPath(block.path)?.join('.');
      const argument = block.params.length === 1 ? plainPath(block.params[0]!) : undefined;
      if ((helper !== 'if' && helper !== 'unless') || argument === undefined || block.hash?.pairs.length || !block.program) return undefined;
      const fn = plainTemplate(block.program, isHelper, transforms);
      const inverse = block.inverse ? plainTemplate(block.inverse, isHelper, transforms) : undefined;
      if (fn === undefined || (block.inverse && inverse === undefined)) return undefined;
      // `unless` is `if` with the two programs swapped, as Handlebars defines it.
      const [then, otherwise] = helper === 'if' ? [fn, inverse] : [inverse, fn];
      return { kind: 'if', path: argument, ...(then && { then }), ...(otherwise && { otherwise }) };
    }
    default:
      return undefined;
  }
}

/** `a` or `a.b.c`, written just so: no `this`, `../`, `@data`, `[segment]` or `/` separators. */
function plainPath(node: Node): string[] | undefined {
  if (node.type !== 'PathExpression') return undefined;
  const path = node as hbs.AST.PathExpression;
  const parts = path.parts as unknown[];
  if (path.data || path.depth !== 0 || parts.length === 0) return undefined;
  if (!parts.every((part): part is string => typeof part === 'string' && NAME.test(part) && !RESERVED.has(part))) return undefined;
  return path.original === parts.join('.') ? parts : undefined;
}

/** A piece of output as Handlebars' generated code holds it: text, or a variable's own value. */
type Piece = string | number | boolean;

/** What a render does to its budget, replayed in order once the render is known to succeed. */
type BudgetStep = { readonly enter: true } | { readonly leave: Piece } | { readonly produced: number };

class LeaveToHandlebars extends Error {}

/**
 * The template's output, or undefined when Handlebars must answer (a missing variable, a value
 * that is not text). The budget sees what it would have seen from the compiled template: a
 * program entered and left for the body and each block body that runs, and each helper result.
 */
export function renderPlain(nodes: readonly PlainNode[], context: object, transforms: TextTransforms, budget: RenderBudget): string | undefined {
  const steps: BudgetStep[] = [];
  let output: Piece;
  try {
    output = program(nodes, context, transforms, steps);
  } catch {
    return undefined; // LeaveToHandlebars, or a string too long to build: Handlebars says which
  }
  for (const step of steps) {
    if ('enter' in step) budget.enter();
    else if ('leave' in step) budget.leave(step.leave);
    else budget.produced(step.produced);
  }
  return String(output);
}

/**
 * A program's output the way Handlebars' generated code makes it: one `a + b + c` over its
 * pieces, so two numbers side by side add up (`{{a}}{{b}}` with 5 and 6 is "11"), and a body
 * that is one value returns that value.
 */
function program(nodes: readonly PlainNode[], context: object, transforms: TextTransforms, steps: BudgetStep[]): Piece {
  steps.push({ enter: true });
  let output: Piece | undefined;
  for (const node of nodes) {
    const piece = pieceOf(node, context, transforms, steps);
    if (piece === undefined) continue;
    // Plain JavaScript `+`, exactly as the compiled template applies it to the same values.
    output = output === undefined ? piece : (output as number) + (piece as number);
  }
  output ??= '';
  steps.push({ leave: output });
  return output;
}

function pieceOf(node: PlainNode, context: object, transforms: TextTransforms, steps: BudgetStep[]): Piece | undefined {
  switch (node.kind) {
    case 'text':
      // Text that whitespace control emptied is not in the compiled code at all.
      return node.text === '' ? undefined : node.text;
    case 'value':
      return plainValue(lookUp(context, node.path));
    case 'helper': {
      const value = lookUp(context, node.path);
      const result = transforms[node.name]!(typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');
      steps.push({ produced: result.length });
      return result;
    }
    case 'if': {
      const chosen = truthy(lookUp(context, node.path)) ? node.then : node.otherwise;
      // A missing branch is Handlebars' `noop`, which returns "".
      return chosen ? program(chosen, context, transforms, steps) : '';
    }
  }
}

/** An own property at every step; anything else (missing, inherited, a function) is Handlebars' to judge. */
function lookUp(context: object, path: readonly string[]): unknown {
  let value: unknown = context;
  for (const part of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) throw new LeaveToHandlebars();
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'function') throw new LeaveToHandlebars();
  return value;
}

function plainValue(value: unknown): Piece {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new LeaveToHandlebars();
}

/** Handlebars' `if`: truthy and not an empty list. */
function truthy(value: unknown): boolean {
  return Boolean(value) && !(Array.isArray(value) && value.length === 0);
}
