import { describe, expect, it } from 'vitest';
import { blobId } from '../../src/engine/blob-id.js';
import { carriedReads, jobIdentity, readJob, type Job } from '../../src/queue/job.js';
import { LocalJobQueue } from '../../src/queue/local-job-queue.js';
import { RetryableJobError } from '../../src/queue/retryable.js';
import { TransientError, UserError } from '../../src/engine/user-error.js';

const base = { installationId: 7, repo: { owner: 'acme', repo: 'payments' }, reason: 'release', explicit: false } as const;
const update = (targetRef: string, repo = 'payments'): Job => ({ ...base, kind: 'update', repo: { owner: 'acme', repo }, targetRef, template: 'acme/tpl' });

/** A queue whose worker holds each job until the test lets it go, and records what ran. */
function gatedQueue() {
  const ran: string[] = [];
  const gates: (() => void)[] = [];
  const errors: unknown[] = [];
  const queue = new LocalJobQueue({ concurrency: 1, deadlineMs: () => 60_000, onError: (error) => errors.push(error) });
  queue.work(async (job) => {
    ran.push(`${'repo' in job ? job.repo.repo : '(installation)'}@${job.targetRef ?? 'latest'}`);
    await new Promise<void>((resolve) => gates.push(resolve));
  });
  const release = async () => {
    while (gates.length > 0 || ran.length === 0) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 5));
      if ((await queue.stats()).waiting + (await queue.stats()).running === 0) return;
    }
  };
  return { queue, ran, errors, release };
}

describe('jobs as data', () => {
  it('a record is validated when read back: unknown kinds, missing fields, names with path characters and tokens are refused', () => {
    expect(readJob(update('v1.1.0'))).toEqual(update('v1.1.0'));
    expect(() => readJob({ ...update('v1'), kind: 'deploy' })).toThrow();
    expect(() => readJob({ ...update('v1'), installationId: undefined })).toThrow();
    expect(() => readJob({ ...update('v1'), repo: { owner: 'acme', repo: '../etc' } })).toThrow();
    expect(() => readJob({ ...base, kind: 'sync-template', comment: { issueNumber: 1, commentId: 2 } })).toThrow(); // who asked
    // Extra fields (a token someone put there) are not carried into the job.
    expect(readJob({ ...update('v1'), token: 'ghs_secret' })).not.toHaveProperty('token');
  });

  it('an update a fan-out queued carries what it read, and a record with anything hostile in it is refused', () => {
    const text = 'template: acme/tpl\nversion: v1.0.0\n';
    const fannedOut = {
      answers: { path: '.github/template-drift.yml', text, blob: blobId(Buffer.from(text)) },
      repository: { cloneUrl: 'https://github.com/acme/payments.git', defaultBranch: 'main' },
      template: { owner: 'acme', repo: 'tpl', cloneUrl: 'https://github.com/acme/tpl.git', htmlUrl: 'https://github.com/acme/tpl' },
    } as const;
    const carrying = { ...update('v1.1.0'), fannedOut };
    expect(readJob(carrying)).toEqual(carrying);
    // The same update, whatever it carries: one job.
    expect(jobIdentity(readJob(carrying))).toBe(jobIdentity(update('v1.1.0')));
    const hostile = [
      { answers: { ...fannedOut.answers, text: `${text}# edited\n` } }, // text that is not the blob it names
      { answers: { ...fannedOut.answers, path: '../../etc/passwd' } },
      { answers: { ...fannedOut.answers, text: 'x'.repeat(65 * 1024), blob: blobId(Buffer.from('x'.repeat(65 * 1024))) } },
      { repository: { ...fannedOut.repository, cloneUrl: 'https://x-access-token:ghs_secret@github.com/acme/payments.git' } },
      { repository: { ...fannedOut.repository, cloneUrl: 'ext::sh -c touch% /tmp/pwned' } },
      { repository: { ...fannedOut.repository, cloneUrl: 'file:///etc/acme/payments.git' } },
      { repository: { ...fannedOut.repository, defaultBranch: '--upload-pack=touch /tmp/pwned' } },
      { repository: { ...fannedOut.repository, defaultBranch: 'main\nevil' } },
      { template: { ...fannedOut.template, htmlUrl: 'javascript:alert(1)' } },
      { template: { ...fannedOut.template, repo: '../tpl' } },
    ];
    for (const change of hostile) expect(() => readJob({ ...carrying, fannedOut: { ...fannedOut, ...change } }), JSON.stringify(change)).toThrow();
    // A token someone put there is not carried into the job.
    expect(readJob({ ...carrying, fannedOut: { ...fannedOut, token: 'ghs_secret' } })).not.toHaveProperty('fannedOut.token');
    // The fan-out queues what a record can hold: an answers file too big for one is read again; a URL no job accepts, everything.
    const big = 'x'.repeat(65 * 1024);
    expect(carriedReads({ ...fannedOut, answers: { ...fannedOut.answers, text: big, blob: blobId(Buffer.from(big)) } })).toEqual({ repository: fannedOut.repository, template: fannedOut.template });
    expect(carriedReads({ ...fannedOut, repository: { ...fannedOut.repository, cloneUrl: 'file:///srv/acme/payments.git' } })).toBeUndefined();
  });

  it('an installation\'s own jobs (a dashboard refresh, a reconcile scan) name no repository; a ticked box names who ticked it', () => {
    const scan = { kind: 'reconcile-installation', installationId: 7, reason: 'reconcile', explicit: false } as const;
    expect(readJob(scan)).toEqual(scan);
    expect(() => readJob({ ...scan, installationId: 0 })).toThrow();
    expect(readJob({ ...scan, kind: 'refresh-dashboard', reason: 'fleet', rescan: true })).toMatchObject({ rescan: true });
    expect(() => readJob({ ...scan, kind: 'refresh-dashboard', reason: 'fleet' })).toThrow(); // rescan or not
    const ticks = { ...base, kind: 'dashboard-ticks', reason: 'command', explicit: true, issueNumber: 3, ticks: { repos: ['acme/orders'], allBehind: false } } as const;
    expect(() => readJob(ticks)).toThrow(); // who ticked
    expect(readJob({ ...ticks, requestedBy: 'octocat' })).toMatchObject({ requestedBy: 'octocat' });
    expect(jobIdentity(readJob(scan))).not.toMatch(/[:()]/);
  });

  it('identities never hold a colon (BullMQ ids cannot), even for a ref that does', () => {
    expect(jobIdentity(update('release:2026'))).not.toContain(':');
    expect(jobIdentity(update('v1.1.0'))).toBe(jobIdentity(update('v1.1.0')));
    expect(jobIdentity(update('v1.1.0'))).not.toBe(jobIdentity(update('v1.1.0', 'orders')));
  });
});

describe('the in-process job queue', () => {
  it('equal jobs collapse while one is queued or running; a newer target supersedes a queued older one', async () => {
    const { queue, ran, release } = gatedQueue();
    await queue.enqueue(update('v1.0.0', 'orders')); // holds the only slot
    await queue.enqueue(update('v1.1.0'));
    await queue.enqueue(update('v1.1.0'));
    await queue.enqueue(update('v1.2.0'));
    await queue.enqueue(update('v1.0.0', 'orders'));
    await release();
    await queue.onIdle();
    expect(ran).toEqual(['orders@v1.0.0', 'payments@v1.2.0']);
  });

  it('an older target queued while a newer one waits or runs adds nothing; once the newer one is done, it is queued again', async () => {
    const { queue, ran, release } = gatedQueue();
    await queue.enqueue(update('v1.0.0', 'orders'));
    await queue.enqueue(update('v1.2.0'));
    await queue.enqueue(update('v1.1.0')); // v1.2.0 waits
    expect(await queue.stats()).toMatchObject({ waiting: 1 });
    await release();
    await queue.onIdle();
    expect(ran).toEqual(['orders@v1.0.0', 'payments@v1.2.0']);
    await queue.enqueue(update('v1.1.0')); // nothing newer in line: the workflow decides what it means
    await release();
    await queue.onIdle();
    expect(ran).toEqual(['orders@v1.0.0', 'payments@v1.2.0', 'payments@v1.1.0']);
  });

  it('cancelling a repository drops its queued job; a failed job is counted, not retried', async () => {
    const { queue, ran, release } = gatedQueue();
    await queue.enqueue(update('v1.0.0', 'orders'));
    await queue.enqueue(update('v1.1.0'));
    expect(await queue.drop(7, ['ACME/Payments'])).toBe(1);
    await release();
    await queue.onIdle();
    expect(ran).toEqual(['orders@v1.0.0']);
    expect(await queue.stats()).toEqual({ waiting: 0, running: 0, delayed: 0, failed: 0 });

    const errors: unknown[] = [];
    const failing = new LocalJobQueue({ concurrency: 1, deadlineMs: () => 60_000, onError: (error) => errors.push(error) });
    failing.work(() => Promise.reject(new Error('boom')));
    await failing.enqueue(update('v1.1.0'));
    await failing.onIdle();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(errors.map(String)).toEqual(['Error: boom']);
    expect(await failing.stats()).toMatchObject({ failed: 1 });
  });
});

describe('the in-process job queue\'s retries', () => {
  /** A queue with `attempts` tries 10 ms apart (doubling), whose worker fails with `failures` in turn, then succeeds. */
  function retryingQueue(attempts: number, failures: Error[]) {
    const tries: number[] = [];
    const retries: [string, number, number][] = [];
    const errors: unknown[] = [];
    const queue = new LocalJobQueue({
      concurrency: 1, deadlineMs: () => 60_000, onError: (error) => errors.push(error),
      retries: { attempts, backoffMs: 10, onRetry: (error, job, attempt, delayMs) => retries.push([String(error), attempt, delayMs]) },
    });
    queue.work(() => {
      tries.push(Date.now());
      const failure = failures.shift();
      return failure ? Promise.reject(failure) : Promise.resolve();
    });
    return { queue, tries, retries, errors };
  }

  const settled = async (queue: LocalJobQueue) => {
    for (let i = 0; i < 400 && JSON.stringify(await queue.stats()).match(/"(waiting|running|delayed)":[1-9]/); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 0));
  };

  it('what can pass is tried again after a backoff that doubles, and is not reported when a later try succeeds', async () => {
    const { queue, tries, retries, errors } = retryingQueue(3, [new TransientError('the git host answered 502'), new RetryableJobError('push refused for now')]);
    await queue.enqueue(update('v1.1.0'));
    await settled(queue);
    expect(tries).toHaveLength(3);
    expect(retries).toEqual([['TransientError: the git host answered 502', 1, 10], ['RetryableJobError: push refused for now', 2, 20]]);
    expect(tries[2]! - tries[1]!).toBeGreaterThanOrEqual(19);
    expect(errors).toEqual([]);
    expect(await queue.stats()).toEqual({ waiting: 0, running: 0, delayed: 0, failed: 0 });
  });

  it('a job that runs out of tries is reported once and counted as failed', async () => {
    const { queue, tries, errors } = retryingQueue(2, [new TransientError('502'), new TransientError('502 again'), new TransientError('never reached')]);
    await queue.enqueue(update('v1.1.0'));
    await settled(queue);
    expect(tries).toHaveLength(2);
    expect(errors.map(String)).toEqual(['TransientError: 502 again']);
    expect(await queue.stats()).toMatchObject({ failed: 1 });
  });

  it('a person\'s mistake, and an error nobody knows to be passing, are reported at once, not retried', async () => {
    for (const mistake of [new UserError('answers.yml: service_name is missing'), new Error('boom')]) {
      const { queue, tries, retries, errors } = retryingQueue(5, [mistake]);
      await queue.enqueue(update('v1.1.0'));
      await settled(queue);
      expect(tries).toHaveLength(1);
      expect(retries).toEqual([]);
      expect(errors).toEqual([mistake]);
    }
  });

  it('a job waiting for its retry is delayed: an equal job queued meanwhile runs at once, cancelling drops the retry, and closing forgets it', async () => {
    const slow = new LocalJobQueue({ concurrency: 1, deadlineMs: () => 60_000, onError: () => undefined, retries: { attempts: 3, backoffMs: 60_000, onRetry: () => undefined } });
    let runs = 0;
    slow.work(() => (++runs === 1 ? Promise.reject(new TransientError('502')) : Promise.resolve()));
    await slow.enqueue(update('v1.1.0'));
    await slow.onIdle();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await slow.stats()).toEqual({ waiting: 0, running: 0, delayed: 1, failed: 0 });
    // The reconcile queues the same update: it runs now, and the retry still waits.
    await slow.enqueue(update('v1.1.0'));
    await slow.onIdle();
    expect(runs).toBe(2);
    expect(await slow.drop(7, ['acme/payments'])).toBe(1);
    expect(await slow.stats()).toMatchObject({ delayed: 0 });

    const closing = new LocalJobQueue({ concurrency: 1, deadlineMs: () => 60_000, onError: () => undefined, retries: { attempts: 3, backoffMs: 60_000, onRetry: () => undefined } });
    closing.work(() => Promise.reject(new TransientError('502')));
    await closing.enqueue(update('v1.1.0'));
    await closing.onIdle();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await closing.stats()).toMatchObject({ delayed: 1 });
    await closing.close(1_000);
    expect(await closing.stats()).toMatchObject({ delayed: 0 });
  });
});
