import { isTransient, isUserError } from '../engine/user-error.js';
import { statusOf } from '../github/create-once.js';
import { JobDeadlineError, JobDroppedError } from './job-errors.js';

/** A failure that may pass by itself (a git remote that did not answer, a push GitHub refused for now). */
export class RetryableJobError extends Error {
  override readonly name = 'RetryableJobError';
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether trying the job again later can succeed: GitHub's 5xx (Octokit reports a dropped
 * connection as 500 too), 429 and secondary rate limits (403 with `retry-after` or that message),
 * timeouts and network errors, and a `TransientError` (a git host that failed for now, as git
 * said: src/git/transient-git-failure.ts). A person's mistake (a `UserError`: bad answers, a render error)
 * is not: it goes to the "action required" issue and waits for a fix. A dropped job is not
 * either: its repository left the installation.
 * https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableJobError || error instanceof JobDeadlineError || isTransient(error)) return true;
  if (error instanceof JobDroppedError || isUserError(error)) return false;
  const status = statusOf(error);
  if (status !== undefined) return status >= 500 || status === 429 || (status === 403 && isSecondaryLimit(error));
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

function isSecondaryLimit(error: unknown): boolean {
  const response = (error as { response?: { headers?: Record<string, string>; data?: { message?: string } } }).response;
  return response?.headers?.['retry-after'] !== undefined || /secondary rate limit/i.test(response?.data?.message ?? '');
}
