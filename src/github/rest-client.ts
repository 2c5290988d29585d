import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { RestOctokit } from './octokit-platform.js';

/** How many times a request that hit a rate limit is waited out and sent again. */
const RATE_LIMIT_RETRIES = 3;

const ScanOctokit = Octokit.plugin(retry, throttling);

export interface RestClientOptions {
  /** `GITHUB_TOKEN`: sent as a header to `baseUrl` only, never printed. */
  readonly token?: string;
  /** `GITHUB_API_URL`: GitHub Enterprise's `https://HOST/api/v3`, or the local GitHub; api.github.com by default. */
  readonly baseUrl?: string;
  /** Told when a rate limit makes the client wait (a progress line on a terminal). */
  readonly onWait?: (message: string) => void;
}

/**
 * The CLI's own GitHub client (the app uses Probot's): Octokit with the retry plugin (5xx and
 * network errors on reads) and the throttling plugin, which waits out GitHub's primary and
 * secondary rate limits (`retry-after`, `x-ratelimit-reset`) a few times before giving up.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */
export function restClient(options: RestClientOptions): RestOctokit {
  const wait = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    if (retryCount >= RATE_LIMIT_RETRIES) return false;
    options.onWait?.(`GitHub's ${kind} rate limit on ${request.method} ${request.url}: waiting ${retryAfter} s`);
    return true;
  };
  return new ScanOctokit({
    ...(options.token && { auth: options.token }),
    ...(options.baseUrl && { baseUrl: options.baseUrl.replace(/\/+$/, '') }),
    userAgent: 'template-drift-scan',
    // Octokit logs warnings (deprecations, rate limits) to the console: the scan's output is its own.
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    throttle: { onRateLimit: wait('primary'), onSecondaryRateLimit: wait('secondary') },
  });
}
