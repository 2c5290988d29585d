import { UserError } from '../user-error.js';

/**
 * minijinja's WebAssembly stopped (a trap) while rendering `source`. It traps when an allocation
 * fails (`'x' * 2000000000`, a string doubled in a loop) and when it panics; after a trap its
 * instance is unusable. A render process tells the two apart and names its memory limit.
 */
export class JinjaTrapError extends UserError {
  constructor(readonly source: string, trap: Error) {
    super(`${source}: rendering stopped inside minijinja's WebAssembly (${trap.message}), as it does when a text needs more memory than rendering may use`, { cause: trap });
  }
}

/** A WebAssembly trap (`WebAssembly.RuntimeError`, which Node's types do not declare). */
export function isWasmTrap(error: unknown): error is Error {
  return error instanceof Error && error.name === 'RuntimeError';
}
