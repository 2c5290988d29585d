import type { ProbotOctokit } from 'probot';
import type { WriteBudget } from './write-budget.js';

/** GitHub's advice when a secondary limit comes without `retry-after`: wait at least a minute. */
const FALLBACK_PAUSE_S = 60;

/**
 * Token requests create no content: the throttling plugin keeps them out of its write queue, and
 * so does the budget (Probot's auth also mints tokens past every hook).
 */
const AUTH_REQUESTS = [/^\/app\/installations\/[^/]+\/access_tokens$/, /^\/applications\/[^/]+\/token(\/scoped)?$/];

/** Every POST, PATCH, PUT and DELETE to the REST API but token requests creates content. */
export function isContentWrite(method: string, url: string): boolean {
  if (!['POST', 'PATCH', 'PUT', 'DELETE'].includes(method.toUpperCase())) return false;
  const { pathname } = new URL(url, 'http://github.invalid');
  return !AUTH_REQUESTS.some((auth) => auth.test(pathname));
}

type Fetch = typeof fetch;
type HookOctokit = Pick<InstanceType<typeof ProbotOctokit>, 'hook'>;

/** Octokit instances already paced: one event's octokit is handed to the runtime more than once. */
const paced = new WeakSet<HookOctokit>();

/**
 * Paces this Octokit's writes by `budget`. The slot is taken in the fetch, when the request is
 * really sent: a request waits in the throttling plugin's queue (one at a time; the app turns
 * its spacing off) and may be resent by the retry plugin, and each send is one more write to
 * GitHub. Before entering those queues the request only waits for room, so a long wait holds
 * none of their slots (the throttling plugin's shared pool of ten, or its 60 s job expiry under
 * clustering).
 * A secondary-limit answer pauses every write of the app; the throttling plugin retries the one.
 */
export function budgetWrites(octokit: HookOctokit, budget: WriteBudget, log: { warn(fields: object, message: string): void }): void {
  if (paced.has(octokit)) return;
  paced.add(octokit);
  octokit.hook.before('request', async (options) => {
    if (!isContentWrite(options.method, options.url)) return;
    await budget.whenOpen();
    const send: Fetch = (options.request?.fetch as Fetch | undefined) ?? globalThis.fetch;
    const budgeted: Fetch = async (input, init) => {
      await budget.take();
      const response = await send(input, init);
      const pause = await secondaryLimitPause(response);
      if (pause !== undefined) {
        log.warn({ method: options.method, url: options.url, seconds: pause }, 'secondary rate limit: every write of the app waits');
        await budget.pause(pause);
      }
      return response;
    };
    options.request = { ...options.request, fetch: budgeted };
  });
}

/**
 * Seconds to hold writes back when the answer is a secondary limit: 403 or 429 with
 * `retry-after`, or with GitHub's "secondary rate limit" message. A primary limit
 * (`x-ratelimit-remaining: 0`) is the throttling plugin's to wait out, per request.
 */
async function secondaryLimitPause(response: Response): Promise<number | undefined> {
  if (response.status !== 403 && response.status !== 429) return undefined;
  if (response.headers.get('x-ratelimit-remaining') === '0') return undefined;
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter === null && !/secondary rate/i.test(await response.clone().text())) return undefined;
  const seconds = Number(retryAfter);
  return retryAfter !== null && Number.isFinite(seconds) ? Math.max(0, seconds) : FALLBACK_PAUSE_S;
}
