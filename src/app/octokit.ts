import Bottleneck from 'bottleneck';
import { ProbotOctokit } from 'probot';

/** How many times a request that hit GitHub's secondary rate limit is retried before giving up. */
const SECONDARY_LIMIT_RETRIES = 3;

type ThrottleOptions = {
  onSecondaryRateLimit?: (retryAfter: number, options: { method: string; url: string }, octokit: { log: { warn: (msg: string) => void } }, retryCount: number) => boolean;
};

/**
 * POSTs whose repetition creates nothing new, so the retry plugin may resend them after a 5xx:
 * adding labels a second time leaves one of each, GitHub answers 200 with the existing reaction
 * for the same reaction again, and a second installation token is just another token.
 */
const RESENDABLE_POSTS = new Set([
  '/repos/{owner}/{repo}/issues/{issue_number}/labels',
  '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
  '/app/installations/{installation_id}/access_tokens',
]);

/**
 * The one PATCH that is not idempotent: a check run's update appends the annotations it carries,
 * so a resend after a 5xx would list files twice.
 * https://docs.github.com/rest/checks/runs#update-a-check-run
 */
const APPENDING_PATCHES = new Set(['/repos/{owner}/{repo}/check-runs/{check_run_id}']);

/**
 * GitHub can perform a create and still answer 5xx (or the connection can drop after it): the
 * retry plugin resending such a POST makes a second issue, comment or PR. So every POST but the
 * ones above gets `retries: 0`; the Platform looks for what the create would have made before
 * sending it once more (src/github/create-once.ts). Reads, PATCH, PUT and DELETE, which are
 * idempotent, keep the plugin's retries. Rate-limit waits (the throttling plugin) are not
 * affected: GitHub performed nothing when it answered with a limit.
 */
function noBlindResend(octokit: Pick<InstanceType<typeof ProbotOctokit>, 'hook'>): void {
  octokit.hook.before('request', (options) => {
    const method = options.method.toUpperCase();
    const appends = method === 'PATCH' && APPENDING_PATCHES.has(options.url);
    if (!appends && (method !== 'POST' || RESENDABLE_POSTS.has(options.url))) return;
    // The retry plugin reads `request.retries` of these very options when the request fails.
    options.request = { ...options.request, retries: 0 };
  });
}

/**
 * The throttling plugin's queues for writes and for writes that notify people, without its own
 * spacing (one second between writes, three between those that notify, in each process). The
 * write budget paces the app's writes (src/github/budget-writes.ts: GitHub's per-minute and
 * per-hour limits in sliding windows, shared by every process through Redis); the plugin's
 * spacing on top of it only held one process to one write a second when the budget allowed more,
 * and, being per process, never bounded the app. The plugin keeps its one-at-a-time gate and its
 * handling of rate-limit and secondary-limit answers. One pair per process, as the plugin's own:
 * each installation gets its key in them.
 */
const WRITE_QUEUES = {
  write: new Bottleneck.Group({ id: 'template-drift-write', maxConcurrent: 1, minTime: 0 }),
  notifications: new Bottleneck.Group({ id: 'template-drift-notifications', maxConcurrent: 1, minTime: 0 }),
};

/**
 * Probot's Octokit (retry and throttling on) with three changes: the write budget, not the
 * throttling plugin's spacing, paces writes (WRITE_QUEUES); non-idempotent POSTs are never
 * resent blindly (noBlindResend); and a secondary rate limit (403 or 429 "You have exceeded a secondary
 * rate limit", with `retry-after`) is waited out and retried, where Probot's default only logs
 * it. The throttling plugin does the waiting; we only say yes.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 */
export const TemplateDriftOctokit: typeof ProbotOctokit = ProbotOctokit.plugin(noBlindResend).defaults((options: { throttle?: ThrottleOptions } & Record<string, unknown>) => ({
  ...options,
  throttle: {
    ...WRITE_QUEUES,
    ...options.throttle,
    onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, octokit: { log: { warn: (msg: string) => void } }, retryCount: number) => {
      octokit.log.warn(`Secondary rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
      return retryCount < SECONDARY_LIMIT_RETRIES;
    },
  },
}));
