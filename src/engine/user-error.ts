/**
 * A failure caused by the input a person gave us (an answers file, a template, a ref, a flag),
 * as opposed to a bug. Its message is written for that person: the CLI prints it alone and
 * exits 2, the app puts it in an issue or a comment. Anything that is not a UserError is a bug.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/**
 * A failure that may pass by itself: a remote (a git host, GitHub) that answered 5xx, refused
 * the connection or stalled. Not the person's mistake, but told to people as a UserError is (the
 * CLI prints it and exits 2; a command's reply quotes it), so it is one. The app tries its job
 * again later instead of filing the "action required" issue for it.
 */
export class TransientError extends UserError {
  override readonly name = 'TransientError';
}

export function isTransient(error: unknown): error is TransientError {
  return error instanceof TransientError;
}

/**
 * A person's mistake, to be told to them (the action-required issue, a scan row's problem, a
 * skipped check): a UserError that is not transient. Anything else is thrown on, for the queue
 * to try again or to report as a bug.
 */
export function isMistake(error: unknown): error is UserError {
  return isUserError(error) && !isTransient(error);
}
