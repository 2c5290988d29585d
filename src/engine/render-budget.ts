import { UserError } from './user-error.js';

/** The setting both the app and the CLI read the output limit from; errors name it. */
export const MAX_RENDER_MB_SETTING = 'TEMPLATE_DRIFT_MAX_RENDER_MB';
/** The setting they read the time limit from. */
export const MAX_RENDER_S_SETTING = 'TEMPLATE_DRIFT_MAX_RENDER_S';

const MB = 1024 * 1024;

export interface RenderLimits {
  /** Output of one template version, every file and path together, in characters. */
  readonly maxOutput: number;
  /**
   * Time one template version may take. Rendering is synchronous, so while it runs the app
   * answers nothing; a template that loops on itself without writing anything is caught here.
   */
  readonly maxMilliseconds: number;
  /** How deeply blocks and partials may run inside each other (a partial including itself). */
  readonly maxDepth: number;
}

export const DEFAULT_MAX_RENDER_MB = 100;
export const DEFAULT_MAX_RENDER_S = 5;

/**
 * The limits for an output limit in MB and a time limit in seconds, as
 * `TEMPLATE_DRIFT_MAX_RENDER_MB` and `TEMPLATE_DRIFT_MAX_RENDER_S` give them (text; unset or
 * not a positive number: 100 MB, 5 s).
 */
export function renderLimits(maxRenderMb?: string, maxRenderSeconds?: string): RenderLimits {
  const mb = positive(maxRenderMb) ?? DEFAULT_MAX_RENDER_MB;
  const seconds = positive(maxRenderSeconds) ?? DEFAULT_MAX_RENDER_S;
  return { maxOutput: Math.floor(mb * MB), maxMilliseconds: Math.round(seconds * 1000), maxDepth: 100 };
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A template passed a render limit: its author has to change it (or the operator the limit). */
export class RenderLimitError extends UserError {}

/**
 * What rendering one template version may still spend. Output is counted as it is produced,
 * piece by piece (each compiled block, partial and helper result), so a template that would
 * expand into gigabytes stops at the limit instead of after building them.
 *
 * A piece's output contains its children's output (a block's text includes the partials it
 * ran), so a piece is charged only for what it adds: its length minus what its children
 * returned. The total is then the output itself, counted once.
 */
export class RenderBudget {
  private used = 0;
  /** Per running piece: the characters its children have returned so far. */
  private readonly running: number[] = [];
  private readonly deadline: number;

  constructor(readonly limits: RenderLimits = renderLimits()) {
    this.deadline = performance.now() + limits.maxMilliseconds;
  }

  /** A piece starts: nesting and time are checked here, the only place rendering can loop. */
  enter(): void {
    // The template's own body runs first; up to maxDepth blocks or partials may run inside it.
    if (this.running.length > this.limits.maxDepth) {
      throw new RenderLimitError(`blocks and partials run more than ${this.limits.maxDepth} deep (does a partial include itself?)`);
    }
    this.checkTime();
    this.running.push(0);
  }

  /** A piece returned its output. */
  leave(output: unknown): void {
    const children = this.running.pop() ?? 0;
    const length = lengthOf(output);
    this.charge(Math.max(0, length - children), length);
  }

  /** A piece failed: its error is what people see, the count just stays consistent. */
  abandon(): void {
    this.running.pop();
  }

  /** Text made outside any piece's own code: a helper's result, a copied file, a path. */
  produced(length: number): void {
    this.charge(length, length);
  }

  checkTime(): void {
    if (performance.now() > this.deadline) {
      throw new RenderLimitError(`rendering took longer than ${this.limits.maxMilliseconds / 1000} s, the render limit (${MAX_RENDER_S_SETTING}); blocks or partials that run each other over and over do that`);
    }
  }

  private charge(added: number, returned: number): void {
    this.used += added;
    const parent = this.running.length - 1;
    if (parent >= 0) this.running[parent]! += returned;
    if (this.used > this.limits.maxOutput) throw outputLimitError(this.limits.maxOutput);
  }
}

export function outputLimitError(maxOutput: number): RenderLimitError {
  const mb = maxOutput / MB;
  const shown = Number.isInteger(mb) ? `${mb} MB` : `${maxOutput} characters`;
  return new RenderLimitError(`the template's output passed ${shown}, the render limit (${MAX_RENDER_MB_SETTING}); rendering stopped`);
}

function lengthOf(output: unknown): number {
  if (typeof output === 'string') return output.length;
  // A block whose body is one value returns that value; Handlebars appends it as a string.
  if (typeof output === 'number' || typeof output === 'boolean') return String(output).length;
  return output === undefined || output === null ? 0 : Object.prototype.toString.call(output).length;
}
