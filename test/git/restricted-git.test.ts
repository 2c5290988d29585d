import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configEntries, mergeGitEnv } from '../../src/git/git-config-env.js';
import { gitClient } from '../../src/git/git-client.js';
import { tokenAuthEnv } from '../../src/git/template-location.js';
import { git, tempDir } from '../support/temp-repo.js';

/**
 * Defence in depth: git as the app runs it refuses what the source policy refuses, even when a
 * source were to reach git without passing through the policy.
 */
const servers: (HttpServer | TcpServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen<T extends HttpServer | TcpServer>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function bareRepository(): Promise<string> {
  const work = await tempDir('td-restricted-');
  await git(work, 'init', '--quiet', '--initial-branch=main');
  await writeFile(join(work, 'secret.txt'), 'SECRET-MARKER\n');
  await git(work, 'add', '--all');
  await git(work, 'commit', '--quiet', '-m', 'secret');
  const bare = join(await tempDir('td-restricted-bare-'), 'secret.git');
  await git(work, 'clone', '--quiet', '--bare', '--', work, bare);
  return bare;
}

async function failure(run: Promise<unknown>): Promise<string> {
  return run.then(() => 'succeeded', (error: unknown) => String(error));
}

describe('git as the app runs it', () => {
  it('refuses file:// (which git allows by default)', async () => {
    const bare = await bareRepository();
    const dir = await tempDir('td-restricted-cwd-');
    expect(await gitClient(dir).raw(['ls-remote', '--', `file://${bare}`])).toMatch(/refs\/heads\/main/);
    expect(await failure(gitClient(dir, { protocols: ['https'] }).raw(['ls-remote', '--', `file://${bare}`]))).toContain("transport 'file' not allowed");
    expect(await failure(gitClient(dir, { protocols: ['https'] }).raw(['ls-remote', '--', bare]))).toContain("transport 'file' not allowed");
  });

  it('never runs ext:: commands, even where a config file allows them', async () => {
    const dir = await tempDir('td-restricted-ext-');
    const marker = join(dir, 'pwned');
    const config = join(dir, 'gitconfig');
    await writeFile(config, '[protocol "ext"]\n\tallow = always\n');
    const command = ['ls-remote', '--', `ext::sh -c touch% ${marker}`];
    expect(await failure(gitClient(dir, { protocols: ['https'], env: { GIT_CONFIG_GLOBAL: config } }).raw(command))).toContain("transport 'ext' not allowed");
    expect(existsSync(marker)).toBe(false);

    // The same configuration without the restrictions runs the command: the test sees the difference.
    await failure(gitClient(dir, { env: { GIT_CONFIG_GLOBAL: config } }).raw(command));
    expect(existsSync(marker)).toBe(true);
  });

  it('opens no connection for ssh://', async () => {
    let connections = 0;
    const port = await listen(createTcpServer((socket) => {
      connections += 1;
      socket.destroy();
    }));
    const dir = await tempDir('td-restricted-ssh-');
    const run = gitClient(dir, { protocols: ['https', 'http'] }).raw(['ls-remote', '--', `ssh://git@127.0.0.1:${port}/acme/tpl.git`]);
    expect(await failure(run)).toContain("transport 'ssh' not allowed");
    expect(connections).toBe(0);
  });

  it('does not follow a redirect to another host', async () => {
    const other: string[] = [];
    const otherPort = await listen(createHttpServer((request, response) => {
      other.push(request.url ?? '');
      response.writeHead(404).end();
    }));
    const first: string[] = [];
    const port = await listen(createHttpServer((request, response) => {
      first.push(request.url ?? '');
      response.writeHead(302, { location: `http://127.0.0.1:${otherPort}${request.url ?? '/'}` }).end();
    }));
    const dir = await tempDir('td-restricted-redirect-');
    const run = gitClient(dir, { protocols: ['http'] }).raw(['ls-remote', '--', `http://127.0.0.1:${port}/acme/tpl.git`]);
    expect(await failure(run)).not.toBe('succeeded');
    expect(first.length).toBeGreaterThan(0);
    expect(other).toEqual([]);

    // git's default follows the first redirect: the test sees the difference.
    await failure(gitClient(dir).raw(['ls-remote', '--', `http://127.0.0.1:${port}/acme/tpl.git`]));
    expect(other.length).toBeGreaterThan(0);
  });

  it('runs no credential helper and prompts for nothing when a host asks for a password', async () => {
    let asked = 0;
    const port = await listen(createHttpServer((_request, response) => {
      asked += 1;
      response.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    }));
    const dir = await tempDir('td-restricted-helper-');
    const marker = join(dir, 'helper-ran');
    const config = join(dir, 'gitconfig');
    await writeFile(config, `[credential]\n\thelper = "!f() { touch ${marker}; echo username=u; echo password=p; }; f"\n[core]\n\taskPass = ${join(dir, 'askpass.sh')}\n`);
    await writeFile(join(dir, 'askpass.sh'), `#!/bin/sh\ntouch ${marker}\necho secret\n`, { mode: 0o755 });
    const run = gitClient(dir, { protocols: ['http'], env: { GIT_CONFIG_GLOBAL: config } }).raw(['ls-remote', '--', `http://127.0.0.1:${port}/acme/tpl.git`]);
    expect(await failure(run)).not.toBe('succeeded');
    expect(asked).toBeGreaterThan(0);
    expect(existsSync(marker)).toBe(false);

    // Without the restrictions, the same configuration runs the helper: the test sees the difference.
    await failure(gitClient(dir, { env: { GIT_CONFIG_GLOBAL: config } }).raw(['ls-remote', '--', `http://127.0.0.1:${port}/acme/tpl.git`]));
    expect(existsSync(marker)).toBe(true);
  });

  it('keeps the token header next to the restrictions: configuration lists are joined, not replaced', async () => {
    const dir = await tempDir('td-restricted-merge-');
    const client = gitClient(dir, { protocols: ['https'], env: tokenAuthEnv('https://github.com/acme/tpl.git', 'ghs_token1234') });
    expect((await client.raw(['config', '--get', 'http.https://github.com/.extraheader'])).trim()).toMatch(/^Authorization: Basic /);
    expect((await client.raw(['config', '--get', 'http.followRedirects'])).trim()).toBe('false');
    expect((await client.raw(['config', '--get-all', 'credential.helper'])).trim()).toBe('');
  });
});

describe('mergeGitEnv', () => {
  it('numbers the entries of every environment into one list, later plain values winning', () => {
    const merged = mergeGitEnv(
      { A: '1', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'a.b', GIT_CONFIG_VALUE_0: 'x' },
      { A: '2', GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'c.d', GIT_CONFIG_VALUE_0: 'y', GIT_CONFIG_KEY_1: 'e.f', GIT_CONFIG_VALUE_1: '' },
    );
    expect(merged.A).toBe('2');
    expect(configEntries(merged)).toEqual([['a.b', 'x'], ['c.d', 'y'], ['e.f', '']]);
    expect(mergeGitEnv({ B: '1' })).toEqual({ B: '1' });
  });
});
