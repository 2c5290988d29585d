/**
 * A failure caused by the input a person gave us (an answers file, a template, a ref, a flag),
 * as opposed to a bug. Its message is written for that person: the CLI prints it alone and
 * exits 2, the app puts it in an issue or a comment. Anything that is not a UserError is a bug.
 */
export class UserError extends Error {
  override readonly name = 'UserError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
