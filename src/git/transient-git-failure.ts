import { TransientError, UserError } from '../engine/user-error.js';

/**
 * What git (through curl or ssh) prints when the remote, not the request, failed: a host that
 * answered 5xx or 429, refused or dropped the connection, could not be resolved, or stalled past
 * the low-speed limit; and our own backstop's words for a git that printed nothing. Trying again
 * later can succeed, as Renovate treats clone 5xx and timeouts as temporary. A 401 is among
 * them: a token GitHub has just minted is sometimes refused for a moment, and a retry mints
 * another. Everything else (no such repository or branch, no access, a push a hook refused) is
 * an answer that stays the same.
 */
const TRANSIENT = [
  /The requested URL returned error: (5\d\d|429|401)\b/,
  /Failed to connect to /,
  /Could(n't| not) connect to server/,
  /Could not resolve (host|proxy)/,
  /Connection (refused|reset|timed out|closed by)/,
  /Operation (too slow|timed out)/,
  /RPC failed/,
  /early EOF/,
  /transfer closed with/,
  /Empty reply from server/,
  /the remote end hung up unexpectedly/,
  /unexpected disconnect while reading sideband packet/,
  /was not closed cleanly/,
  /(GnuTLS|OpenSSL|SSL_read|SSL_write).*(error|errno)/i,
  /received nothing for \d+ s and was stopped/,
  // A push whose lease failed: the branch moved since it was read; a new run reads it again.
  /\(stale info\)/,
];

/** Whether git's message says the remote failed for now (see above). */
export function isTransientGitFailure(message: string): boolean {
  return TRANSIENT.some((pattern) => pattern.test(message));
}

/**
 * The error for a git command that talked to a remote and failed, told as `message` (already
 * redacted): a TransientError when git's own words (`gitError`) say the remote failed for now,
 * so the job is tried again later; else `lasting` (a UserError unless the caller says otherwise).
 */
export function remoteGitFailure(gitError: unknown, message: string, lasting: new (message: string) => Error = UserError): Error {
  return isTransientGitFailure(String(gitError)) ? new TransientError(message) : new lasting(message);
}
