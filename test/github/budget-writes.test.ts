import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { TemplateDriftOctokit } from '../../src/app/octokit.js';
import { budgetWrites, isContentWrite } from '../../src/github/budget-writes.js';
import { InProcessWriteBudget, writeLimits } from '../../src/github/write-budget.js';
import { API, useNock } from '../support/app-harness.js';

useNock();

const SECONDARY_LIMIT = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };
const quiet = { warn: () => undefined };

/** Two installations' Octokits (throttling and retries off: only the budget holds anything back). */
function octokits(budget: InProcessWriteBudget): InstanceType<typeof TemplateDriftOctokit>[] {
  return [1, 2].map(() => {
    const octokit = new TemplateDriftOctokit({ auth: { token: 'ghs_test' }, retry: { enabled: false }, throttle: { enabled: false } });
    budgetWrites(octokit, budget, quiet);
    return octokit;
  });
}

/** When each request reached GitHub, by `METHOD path`. */
function arrivals(scope: nock.Scope): Map<string, number> {
  const seen = new Map<string, number>();
  scope.on('request', (req: { method: string; path: string }) => seen.set(`${req.method} ${req.path}`, Date.now()));
  return seen;
}

describe('GitHub write budget over Octokit', () => {
  it('a secondary limit on one write holds back every write of the app until its retry-after; reads go on', async () => {
    const [one, two] = octokits(new InProcessWriteBudget([]));
    const api = nock(API)
      .post('/repos/acme/payments/issues').reply(403, SECONDARY_LIMIT, { 'retry-after': '1' })
      .post('/repos/acme/billing/issues/1/comments').reply(201, { id: 1 })
      .get('/repos/acme/billing').reply(200, { name: 'billing' });
    const seen = arrivals(api);

    await expect(one!.request('POST /repos/{owner}/{repo}/issues', { owner: 'acme', repo: 'payments', title: 't' })).rejects.toMatchObject({ status: 403 });
    const limited = seen.get('POST /repos/acme/payments/issues') ?? 0;
    // Another installation's write, and a read, right after: only the write waits.
    const write = two!.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: 'acme', repo: 'billing', issue_number: 1, body: 'b' });
    await two!.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'billing' });
    expect(seen.has('POST /repos/acme/billing/issues/1/comments')).toBe(false);
    expect((seen.get('GET /repos/acme/billing') ?? 0) - limited).toBeLessThan(1000);
    await write;
    expect((seen.get('POST /repos/acme/billing/issues/1/comments') ?? 0) - limited).toBeGreaterThanOrEqual(1000);
  });

  it('the throttling plugin still retries the limited write itself, once the pause is over', async () => {
    const octokit = new TemplateDriftOctokit({ auth: { token: 'ghs_test' }, retry: { enabled: false } });
    budgetWrites(octokit, new InProcessWriteBudget([]), quiet);
    const api = nock(API)
      .patch('/repos/acme/payments/pulls/7').reply(429, SECONDARY_LIMIT, { 'retry-after': '1' })
      .patch('/repos/acme/payments/pulls/7').reply(200, { number: 7 });
    const sent: number[] = [];
    api.on('request', () => sent.push(Date.now()));
    const { data } = await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { owner: 'acme', repo: 'payments', pull_number: 7, title: 't' });
    expect(data).toEqual({ number: 7 });
    expect(sent).toHaveLength(2);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('with the throttling plugin on, writes the budget has room for go out at once, not a second (or three) apart', async () => {
    // The app's Octokit as Probot makes it: throttling on, the default budget of 60 a minute.
    const octokit = new TemplateDriftOctokit({ auth: { token: 'ghs_test' }, retry: { enabled: false } });
    budgetWrites(octokit, new InProcessWriteBudget(writeLimits(60, 450)), quiet);
    const api = nock(API)
      .post('/repos/acme/payments/pulls').reply(201, { number: 7 })
      .post('/repos/acme/payments/issues/7/labels').reply(200, [])
      .post('/repos/acme/payments/issues/7/comments').reply(201, { id: 1 })
      .post('/repos/acme/billing/pulls').reply(201, { number: 8 });
    const sent: number[] = [];
    api.on('request', () => sent.push(Date.now()));
    // One after the other, as an update sends them: the plugin's own spacing would put 1 s between
    // writes and 3 s between those that notify people (pulls, comments).
    await octokit.request('POST /repos/{owner}/{repo}/pulls', { owner: 'acme', repo: 'payments', title: 't', head: 'h', base: 'main' });
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { owner: 'acme', repo: 'payments', issue_number: 7, labels: ['l'] });
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: 'acme', repo: 'payments', issue_number: 7, body: 'b' });
    await octokit.request('POST /repos/{owner}/{repo}/pulls', { owner: 'acme', repo: 'billing', title: 't', head: 'h', base: 'main' });
    expect(sent).toHaveLength(4);
    expect(sent[3]! - sent[0]!).toBeLessThan(1000);
  });

  it('counts every POST, PATCH, PUT and DELETE but token requests, and no read', () => {
    expect(['POST', 'PATCH', 'PUT', 'DELETE'].map((method) => isContentWrite(method, '/repos/{owner}/{repo}/issues'))).toEqual([true, true, true, true]);
    expect(isContentWrite('GET', '/repos/{owner}/{repo}/issues')).toBe(false);
    expect(isContentWrite('POST', '/app/installations/{installation_id}/access_tokens')).toBe(false);
    expect(isContentWrite('POST', '/app/installations/42/access_tokens')).toBe(false);
  });
});
