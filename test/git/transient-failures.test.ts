import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isTransient, isUserError } from '../../src/engine/user-error.js';
import { GitRemoteError, ServiceClone } from '../../src/git/service-clone.js';
import { TemplateStore } from '../../src/git/template-store.js';
import { isRetryable } from '../../src/queue/retryable.js';
import { rejectPushes } from '../support/git-remote.js';
import { BareRepo } from '../support/service-fleet.js';
import { TestRepo, tempDir } from '../support/temp-repo.js';

const committer = { name: 'Bot', email: 'bot@example.com' };

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server?.closeAllConnections();
  server = undefined;
});

/** A git host (loopback) that answers every request with `status`, as GitHub does in a bad minute. */
async function failingHost(status: number): Promise<string> {
  server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end('Server Error\n');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/acme/payments.git`;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => 'no failure', (error: unknown) => error);
}

function openClone(cloneUrl: string, branch = 'main'): Promise<unknown> {
  return failureOf(ServiceClone.open({ cloneUrl, branch, committer, token: 'ghs_secretToken0123' }));
}

describe('a git host that failed for now is told from an answer that stays the same', () => {
  it.each([502, 503, 429])('a clone answered %i is transient: the job is retried, and the message is plain and has no token', async (status) => {
    const url = await failingHost(status);
    const error = await openClone(url);
    expect(isTransient(error)).toBe(true);
    expect(isRetryable(error)).toBe(true);
    expect(String(error)).toContain(`Cannot clone ${url}: `);
    expect(String(error)).toContain(`fatal: unable to access '${url}/': The requested URL returned error: ${status}`);
    expect(String(error)).not.toContain('ghs_secretToken0123');
  });

  it('a clone whose connection is refused is transient', async () => {
    const error = await openClone('http://127.0.0.1:1/acme/payments.git');
    expect(isTransient(error)).toBe(true);
    expect(String(error)).toMatch(/Cannot clone http:\/\/127\.0\.0\.1:1\/acme\/payments\.git: .*Failed to connect to 127\.0\.0\.1 port 1/);
  });

  it('a clone of a branch that does not exist is a UserError that is not retried', async () => {
    const bare = await BareRepo.from((await TestRepo.create({ 'README.md': 'hi\n' })).dir);
    const error = await openClone(bare.url, 'trunk');
    expect(isUserError(error) && !isTransient(error)).toBe(true);
    expect(isRetryable(error)).toBe(false);
    expect(String(error)).toContain("couldn't find remote ref refs/heads/trunk");
  });

  it('a clone of a repository that is not there says so, not git\'s advice after it, and is not retried', async () => {
    const missing = `file://${await tempDir('td-none-')}/acme/gone.git`;
    const error = await openClone(missing);
    expect(isUserError(error) && !isTransient(error)).toBe(true);
    expect(String(error)).toMatch(/does not appear to be a git repository/);
    expect(String(error)).not.toContain('Please make sure');
  });

  it('a push the remote refuses stays refused (a GitRemoteError); a push whose lease a race lost is tried again', async () => {
    const work = await TestRepo.create({ 'README.md': 'hi\n' });
    const bare = await BareRepo.from(work.dir);
    const clone = await ServiceClone.open({ cloneUrl: bare.url, branch: 'main', committer });
    try {
      const file = (text: string) => new Map([['a.txt', { content: Buffer.from(text), mode: '100644' as const }]]);
      const { sha } = await clone.commit(file('a\n'), [], 'Update');
      // Someone else made the branch since it was read (expected absent): the lease fails.
      await clone.push(sha, 'template-drift/update', undefined);
      const second = await clone.commit(file('b\n'), [], 'Update again');
      const raced = await failureOf(clone.push(second.sha, 'template-drift/update', undefined));
      expect(isTransient(raced)).toBe(true);
      expect(String(raced)).toContain('stale info');

      await rejectPushes(bare);
      const refused = await failureOf(clone.push(sha, 'template-drift/other', undefined));
      expect(refused).toBeInstanceOf(GitRemoteError);
      expect(isTransient(refused)).toBe(false);
      expect(String(refused)).toContain('pushes are refused here');
    } finally {
      await clone.dispose();
    }
  });

  it('a template host that answers 502 is transient; a template that is not there is not', async () => {
    const cacheDir = await tempDir('td-transient-cache-');
    const url = await failingHost(502);
    const unavailable = await failureOf((await new TemplateStore({ cacheDir }).open({ url, display: url })).tags());
    expect(isTransient(unavailable)).toBe(true);
    expect(String(unavailable)).toContain(`Cannot read template ${url}: unable to access '${url}/': The requested URL returned error: 502`);

    const missing = `file://${await tempDir('td-none-')}/acme/tpl.git`;
    const gone = await failureOf((await new TemplateStore({ cacheDir }).open({ url: missing, display: missing })).tags());
    expect(isUserError(gone) && !isTransient(gone)).toBe(true);
  });
});
