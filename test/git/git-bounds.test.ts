import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTransient } from '../../src/engine/user-error.js';
import { gitClient } from '../../src/git/git-client.js';
import { ServiceClone } from '../../src/git/service-clone.js';
import { TemplateStore } from '../../src/git/template-store.js';
import { startStallingServer, type StallingServer } from '../support/stalling-server.js';
import { git as runGit, tempDir } from '../support/temp-repo.js';

const BOT = { name: 'template-drift[bot]', email: 'template-drift[bot]@users.noreply.github.com' };
/** Low, so that the tests stay short; the app's default is 60. */
const STALL_S = 2;

let server: StallingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function templateTags(url: string, bounds: { stallSeconds?: number; signal?: AbortSignal }): Promise<unknown> {
  const store = new TemplateStore({ cacheDir: await tempDir('td-bounds-cache-'), bounds });
  const repository = await store.open({ url, display: url });
  return repository.tags().then(() => 'answered', (error: unknown) => error);
}

describe('git network work is bounded', () => {
  it('abandons a template host that accepts the connection and never answers, with a clear message, as a failure that may pass', async () => {
    server = await startStallingServer();
    const error = await templateTags(server.url, { stallSeconds: STALL_S });
    expect(isTransient(error)).toBe(true);
    expect(String(error)).toMatch(new RegExp(`Cannot read template ${server.url}: .*Operation too slow. Less than 1 bytes/sec transferred the last ${STALL_S} seconds`));
    expect(server.requests()).toBe(1);
  });

  it('abandons a host that trickles a byte every few seconds', async () => {
    server = await startStallingServer({ trickleMs: 3000 });
    const error = await templateTags(server.url, { stallSeconds: STALL_S });
    expect(String(error)).toContain(`Less than 1 bytes/sec transferred the last ${STALL_S} seconds`);
  });

  it('abandons a service clone whose host stalls, says which repository, as a failure that may pass', async () => {
    server = await startStallingServer();
    const opened = ServiceClone.open({ cloneUrl: server.url, branch: 'main', committer: BOT, bounds: { stallSeconds: STALL_S } });
    const error = await opened.then(() => 'answered', (failure: unknown) => failure);
    expect(String(error)).toMatch(new RegExp(`Cannot clone ${server.url}: .*Operation too slow`));
    expect(isTransient(error)).toBe(true);
  });

  it('stops a git that prints nothing for five seconds past the stall limit, where no transfer watches it', async () => {
    // A hook that hangs stands for a git stuck before any transfer (a connection that never opens).
    const dir = await tempDir('td-bounds-');
    await runGit(dir, 'init', '--quiet');
    await mkdir(join(dir, '.git/hooks'), { recursive: true });
    await writeFile(join(dir, '.git/hooks/pre-commit'), '#!/bin/sh\nexec sleep 20\n');
    await chmod(join(dir, '.git/hooks/pre-commit'), 0o755);
    const git = gitClient(dir, { bounds: { stallSeconds: 1 } });
    await expect(git.raw(['commit', '--allow-empty', '--quiet', '-m', 'never'])).rejects.toThrow('git received nothing for 6 s and was stopped');
  });

  it('stops running git when the job\'s signal aborts, with the reason, and starts no more', async () => {
    server = await startStallingServer();
    const controller = new AbortController();
    const git = gitClient(await tempDir('td-bounds-'), { bounds: { stallSeconds: 60, signal: controller.signal } });
    const listing = git.raw(['ls-remote', '--', server.url]).then(() => 'answered', (error: unknown) => error);
    while (server.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('the job took longer than the 1 s one job may take, and was stopped'));
    expect(String(await listing)).toContain('the job took longer than the 1 s one job may take');
    await expect(git.raw(['ls-remote', '--', server.url])).rejects.toThrow('the job took longer');
    expect(server.requests()).toBe(1);
  });
});
