import { ProbotOctokit } from 'probot';

/** How many times a request that hit GitHub's secondary rate limit is retried before giving up. */
const SECONDARY_LIMIT_RETRIES = 3;

type ThrottleOptions = {
  onSecondaryRateLimit?: (retryAfter: number, options: { method: string; url: string }, octokit: { log: { warn: (msg: string) => void } }, retryCount: number) => boolean;
};

/**
 * Probot's Octokit (retry and throttling on) with one change: a secondary rate limit (403 or
 * 429 "You have exceeded a secondary rate limit", with `retry-after`) is waited out and retried,
 * where Probot's default only logs it. The throttling plugin does the waiting; we only say yes.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 */
export const TemplateDriftOctokit: typeof ProbotOctokit = ProbotOctokit.defaults((options: { throttle?: ThrottleOptions } & Record<string, unknown>) => ({
  ...options,
  throttle: {
    ...options.throttle,
    onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, octokit: { log: { warn: (msg: string) => void } }, retryCount: number) => {
      octokit.log.warn(`Secondary rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
      return retryCount < SECONDARY_LIMIT_RETRIES;
    },
  },
}));
