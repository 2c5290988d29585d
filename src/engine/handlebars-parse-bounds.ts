import type Handlebars from 'handlebars';
import { RenderLimitError } from './render-budget.js';

/**
 * Handlebars' parser is slow on some inputs, and nothing can interrupt it: nesting costs
 * quadratic time (5,000 nested `{{#if}}`, 95 KB, parse for 39 s before overflowing the stack; as
 * slow: 4,000 nested `(not (not …))`, 24 KB, or a chain of `{{else if}}`), and any text costs
 * some 10,000 to 70,000 tokens a second on a busy machine (a 4,000-line file of `{{x}}` is
 * 16,000 tokens). So every token Handlebars' own lexer hands its parser is counted as it goes
 * (the parser asks for tokens one at a time), and the parse is stopped the moment a bound is
 * passed: no more tokens, and no deeper nesting, than any real template needs. Counting inside
 * the one parse, not in a lexing pass of its own before it, lexes each text once instead of twice.
 */
const MAX_TOKENS = 20_000;

interface Lexer {
  /** The next token, or undefined for text the lexer skips (its `lex` then calls `next` again). */
  next: (this: Lexer) => number | undefined;
  readonly EOF: number;
}
/** Handlebars' Jison parser; its lexer and token numbers are not part of the typings. */
interface Parser {
  readonly lexer: Lexer;
  readonly symbols_: Readonly<Record<string, number>>;
}

/**
 * Parses `source` with `env`, counting tokens and nesting as Handlebars parses them: blocks,
 * partial blocks and subexpressions open a level, and each `{{else if …}}` of a chain opens one
 * more inside it (closed together by the chain's `{{/if}}`). A text the lexer refuses fails
 * with the parser's own message, which says what is wrong with it.
 */
export function parseWithinBounds(env: typeof Handlebars, source: string, maxDepth: number): hbs.AST.Program {
  const parser = (env as unknown as { Parser: Parser }).Parser;
  const { lexer, symbols_: TOKEN } = parser;
  const opens = new Set([TOKEN.OPEN_BLOCK, TOKEN.OPEN_INVERSE, TOKEN.OPEN_PARTIAL_BLOCK, TOKEN.OPEN_SEXPR]);
  const closes = new Set([TOKEN.OPEN_ENDBLOCK, TOKEN.CLOSE_SEXPR]);
  const open: number[] = [];
  let depth = 0;
  let tokens = 0;
  const count = (token: number): void => {
    if (token === lexer.EOF || token === TOKEN.EOF) return;
    if (++tokens > MAX_TOKENS) throw new RenderLimitError(`one file may hold at most ${MAX_TOKENS} Handlebars tokens; split it`);
    if (closes.has(token)) {
      depth -= open.pop() ?? 0;
      return;
    }
    if (opens.has(token)) open.push(1);
    else if (token === TOKEN.OPEN_INVERSE_CHAIN && open.length > 0) open[open.length - 1]! += 1;
    else return;
    depth += 1;
    if (depth > maxDepth) throw new RenderLimitError(`blocks and subexpressions are nested more than ${maxDepth} deep`);
  };
  // The parser is one object for the environment, and parsing is synchronous: the counting lexer
  // is in place for this parse only. `next`, not `lex`: `lex` calls itself again after skipped text.
  const next = lexer.next;
  lexer.next = function countedNext(this: Lexer): number | undefined {
    const token = next.call(this);
    if (token !== undefined) count(token);
    return token;
  };
  try {
    return env.parse(source);
  } finally {
    lexer.next = next;
  }
}
