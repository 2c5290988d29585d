import type Handlebars from 'handlebars';
import { RenderLimitError } from './render-budget.js';

/**
 * Handlebars' parser is slow on some inputs, and nothing can interrupt it: nesting costs
 * quadratic time (5,000 nested `{{#if}}`, 95 KB, parse for 39 s before overflowing the stack; as
 * slow: 4,000 nested `(not (not …))`, 24 KB, or a chain of `{{else if}}`), and any text costs
 * some 10,000 to 70,000 tokens a second on a busy machine (a 4,000-line file of `{{x}}` is
 * 16,000 tokens). So a text goes through Handlebars'
 * own lexer first (linear, and stopped the moment a bound is passed): no more tokens, and no
 * deeper nesting, than any real template needs.
 */
const MAX_TOKENS = 20_000;

interface Lexer {
  setInput(input: string): void;
  lex(): number;
  readonly EOF: number;
}
/** Handlebars' Jison parser; its lexer and token numbers are not part of the typings. */
interface Parser {
  readonly lexer: Lexer;
  readonly symbols_: Readonly<Record<string, number>>;
}

/**
 * Counts tokens and nesting as Handlebars will parse them: blocks, partial blocks and
 * subexpressions open a level, and each `{{else if …}}` of a chain opens one more inside it
 * (closed together by the chain's `{{/if}}`). A text the lexer refuses is left to the parser,
 * which says what is wrong with it.
 */
export function assertParsable(env: typeof Handlebars, source: string, maxDepth: number): void {
  const parser = (env as unknown as { Parser: Parser }).Parser;
  const { lexer, symbols_: TOKEN } = parser;
  const opens = new Set([TOKEN.OPEN_BLOCK, TOKEN.OPEN_INVERSE, TOKEN.OPEN_PARTIAL_BLOCK, TOKEN.OPEN_SEXPR]);
  const closes = new Set([TOKEN.OPEN_ENDBLOCK, TOKEN.CLOSE_SEXPR]);
  const open: number[] = [];
  let depth = 0;
  lexer.setInput(source);
  for (let tokens = 1; ; tokens++) {
    let token: number;
    try {
      token = lexer.lex();
    } catch {
      return;
    }
    if (token === lexer.EOF || token === TOKEN.EOF) return;
    if (tokens > MAX_TOKENS) throw new RenderLimitError(`one file may hold at most ${MAX_TOKENS} Handlebars tokens; split it`);
    if (closes.has(token)) {
      depth -= open.pop() ?? 0;
      continue;
    }
    if (opens.has(token)) open.push(1);
    else if (token === TOKEN.OPEN_INVERSE_CHAIN && open.length > 0) open[open.length - 1]! += 1;
    else continue;
    depth += 1;
    if (depth > maxDepth) throw new RenderLimitError(`blocks and subexpressions are nested more than ${maxDepth} deep`);
  }
}
