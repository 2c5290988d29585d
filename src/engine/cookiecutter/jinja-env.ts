import type { Environment } from 'minijinja-js';
import type { RenderBudget } from '../render-budget.js';
import { UserError } from '../user-error.js';
import { jsonify, now, randomAsciiString, ScopedDraws, slugify, uuid4, type ExtensionSeed } from './default-extensions.js';
import { isWasmTrap, JinjaTrapError } from './jinja-trap.js';
import { NOW_FUNCTION, prepareJinjaSource, PYTHON_TEXT_FILTER, UNDEFINED_MARK } from './jinja-source.js';
import { minijinja } from './minijinja.js';
import { KEYWORDS_MARK, METHOD_FUNCTION, PERCENT_FUNCTION } from './python-calls.js';
import { callPythonMethod } from './python-methods.js';
import { formatFilter, percentFormat } from './python-percent.js';
import { pythonText, UNDEFINED_TEXT } from './python-text.js';

/** Whitespace options a template may set in `_jinja2_env_vars` (the only ones minijinja has). */
export interface JinjaOptions {
  readonly lstrip_blocks?: boolean;
  readonly trim_blocks?: boolean;
  readonly keep_trailing_newline?: boolean;
}

/**
 * Instructions one text may run (minijinja's fuel): loops over huge ranges stop here, since a
 * synchronous render cannot be interrupted by the clock. Far beyond any real template file.
 */
const FUEL_PER_TEXT = 5_000_000;

/**
 * Cookiecutter's Jinja as minijinja gives it: strict undefined (cookiecutter's StrictUndefined),
 * the final newline kept, no escaping, Python's string and dict methods, and the default
 * extensions. One per template version rendered; `close()` frees its WebAssembly memory.
 */
export class CookiecutterJinja {
  private readonly env: Environment = new (minijinja().Environment)();
  private draws: ScopedDraws;
  /** The first error a callback met in the current render (see `guarded`). */
  private failure: unknown;

  constructor(private readonly seed: ExtensionSeed, options: JinjaOptions, private readonly budget: RenderBudget) {
    this.draws = new ScopedDraws(seed, '');
    this.env.enablePyCompat();
    this.env.undefinedBehavior = 'strict';
    this.env.keepTrailingNewline = options.keep_trailing_newline ?? true;
    this.env.lstripBlocks = options.lstrip_blocks ?? false;
    this.env.trimBlocks = options.trim_blocks ?? false;
    this.env.debug = false;
    this.env.fuel = FUEL_PER_TEXT;
    this.env.addGlobal(UNDEFINED_MARK, UNDEFINED_TEXT);
    this.env.addFilter(PYTHON_TEXT_FILTER, this.guarded((value: unknown) => pythonText(value)));
    this.env.addFilter('format', this.guarded((value: unknown, ...args: unknown[]) => {
      const { line, keywords } = takeKeywords(args);
      return atLine(line, () => formatFilter(value, args, keywords));
    }));
    this.env.addGlobal(METHOD_FUNCTION, this.guarded((receiver: unknown, name: unknown, ...args: unknown[]) => {
      const { line, keywords } = takeKeywords(args);
      return atLine(line, () => callPythonMethod(receiver, String(name), args, keywords));
    }));
    this.env.addGlobal(PERCENT_FUNCTION, this.guarded((format: unknown, values: unknown, tuple: unknown, line: unknown) =>
      // Only a tuple literal spreads into the arguments; a list is one argument, as in Python.
      atLine(line, () => percentFormat(String(format), tuple === true || !Array.isArray(values) ? values : [values]))));
    this.env.addFilter('jsonify', this.guarded((value: unknown, indent?: unknown) => jsonify(value, indent)));
    this.env.addFilter('slugify', this.guarded((value: unknown, options?: unknown) => slugify(value, options)));
    this.env.addGlobal('random_ascii_string', this.guarded((length: unknown, options?: unknown) => randomAsciiString(this.draws, length, options)));
    this.env.addGlobal('uuid4', this.guarded(() => uuid4(this.draws)));
    this.env.addGlobal(NOW_FUNCTION, this.guarded((args: unknown) => now(this.seed.committedAt, String(args))));
  }

  /**
   * Renders one text. `name` is what an error names (the template file, "default of x");
   * `scope` is what random values are drawn for (a variable, a template file).
   */
  render(source: string, context: object, name: string, scope: string): string {
    this.budget.checkTime();
    this.draws = new ScopedDraws(this.seed, scope);
    this.failure = undefined;
    let text: string;
    try {
      // renderStr, not renderNamedStr: a name would turn on minijinja's auto-escaping by file
      // extension (HTML for .html, JSON for .yml and .json), which cookiecutter never does.
      text = this.env.renderStr(prepareJinjaSource(source), context);
    } catch (error) {
      if (isWasmTrap(error)) throw new JinjaTrapError(name, error);
      throw new UserError(`${name}: ${describe(this.failure ?? error)}`, { cause: this.failure ?? error });
    }
    if (this.failure !== undefined) throw new UserError(`${name}: ${describe(this.failure)}`, { cause: this.failure });
    try {
      this.budget.produced(text.length);
    } catch (error) {
      throw new UserError(`${name}: ${describe(error)}`, { cause: error });
    }
    return text;
  }

  close(): void {
    try {
      this.env.free();
    } catch {
      // After a trap minijinja holds the environment as borrowed and refuses to free it; the
      // render's own error is the one to report.
    }
  }

  /**
   * An error thrown into minijinja from a JavaScript callback makes its WebAssembly panic, which
   * breaks every environment in the process (and prints to stderr). Callbacks therefore never
   * throw: the first error is kept, the callback answers '', and `render` throws it afterwards.
   */
  private guarded<A extends unknown[], R>(callback: (...args: A) => R): (...args: A) => R | '' {
    return (...args: A) => {
      try {
        return callback(...args);
      } catch (error) {
        this.failure ??= error;
        return '';
      }
    };
  }
}

/**
 * The keyword arguments python-calls.ts marked, taken off `args`: the trailing Map holding the
 * mark (whose value is the call's line) is the keywords; without it (`x|format` as a block
 * filter) there are none.
 */
function takeKeywords(args: unknown[]): { line: unknown; keywords: Map<string, unknown> } {
  const last = args.at(-1);
  if (!(last instanceof Map) || !last.has(KEYWORDS_MARK)) return { line: undefined, keywords: new Map() };
  args.pop();
  const keywords = new Map(last as Map<string, unknown>);
  const line = keywords.get(KEYWORDS_MARK);
  keywords.delete(KEYWORDS_MARK);
  return { line, keywords };
}

/** Runs a Python call, naming its line in the template on an error (as minijinja's own errors do). */
function atLine<R>(line: unknown, call: () => R): R {
  try {
    return call();
  } catch (error) {
    if (typeof line !== 'number') throw error;
    throw new Error(`${error instanceof Error ? error.message : String(error)} (line ${line})`, { cause: error });
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n')[0] ?? text;
  return first.replace(/ \(in [^)]*:(\d+)\)$/, ' (line $1)').replace(/ \(in [^)]*\)$/, '');
}
