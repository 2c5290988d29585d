import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/cli/environment.js';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { runTemplateDrift, type CliRun } from '../support/run-cli.js';
import { git } from '../support/temp-repo.js';
import { SuiteRepo, suiteTempDir } from '../git/suite-repo.js';
import { cliContext, read } from './cli-fixtures.js';

// A proxy from the machine's environment must not sit between git and the local addresses used here.
for (const name of ['NO_PROXY', 'no_proxy']) process.env[name] = ['127.0.0.1', process.env[name]].filter(Boolean).join(',');

const TOKEN = 'ghs_secret123';
const AUTHORIZATION = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
const SECRET_FORMS = [TOKEN, Buffer.from(TOKEN).toString('base64'), Buffer.from(`x-access-token:${TOKEN}`).toString('base64')];

function expectNoToken(run: CliRun): void {
  for (const form of SECRET_FORMS) {
    expect(run.stdout).not.toContain(form);
    expect(run.stderr).not.toContain(form);
  }
}

describe('reading the token from the environment', () => {
  it('prefers GITHUB_TOKEN, falls back to GH_TOKEN, and has none otherwise', () => {
    expect(readEnvironment({ GITHUB_TOKEN: 'a-token', GH_TOKEN: 'b-token' }).token).toBe('a-token');
    expect(readEnvironment({ GH_TOKEN: 'b-token' }).token).toBe('b-token');
    expect(readEnvironment({}).token).toBeUndefined();
  });

  it('takes the GitHub server and the cache folder from the environment', () => {
    const environment = readEnvironment({ GITHUB_SERVER_URL: 'https://ghe.example.com', TEMPLATE_DRIFT_CACHE_DIR: '/var/cache/td' });
    expect(environment).toMatchObject({ serverUrl: 'https://ghe.example.com', cacheDir: '/var/cache/td' });
  });
});

describe('an unreachable private template', () => {
  it.each([
    ['an https URL', 'https://127.0.0.1:1/x/y.git'],
    ['a URL with the token in it', `https://x-access-token:${TOKEN}@127.0.0.1:1/x/y.git`],
  ])('fails with one message that never shows the token, for %s', async (_what, url) => {
    const context = await cliContext();
    for (const args of [['init', 'svc', '--template', url], ['render', '--template', url, '--out', 'out'], ['init', 'svc', '--template', url, '--debug']]) {
      const run = await runTemplateDrift(args, { ...context, token: TOKEN, serverUrl: 'https://127.0.0.1:1' });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^template-drift: Cannot read template https:\/\/(\*\*\*@)?127\.0\.0\.1:1\/x\/y\.git: /);
      expectNoToken(run);
    }
  });
});

/**
 * A private template served over HTTP the way a static host serves a bare repository (git's
 * "dumb" protocol): every request without the token's Authorization header gets 401.
 */
describe('a private template over HTTP', () => {
  let server: Server;
  let origin: string;
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    const template = await SuiteRepo.create('td-private-template-');
    await template.release('v1.0.0', { 'template.yml': 'name: private\n', 'README.md': 'secret sauce\n' });
    const bare = join(await suiteTempDir('td-private-bare-'), 'tpl.git');
    await git(template.dir, 'clone', '--quiet', '--bare', template.dir, bare);
    await git(bare, 'update-server-info');

    server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      if (request.headers.authorization !== AUTHORIZATION) {
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="private"' }).end();
        return;
      }
      const path = normalize(decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/')).replace(/^\/acme\/tpl\.git/, '');
      readFile(join(bare, path)).then(
        (body) => response.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(body),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('is read with the token sent as a header, and the token is written nowhere', async () => {
    const context = await cliContext();
    seen.length = 0;
    const url = `${origin}/acme/tpl.git`;
    const init = await runTemplateDrift(['init', 'svc', '--template', url], { ...context, token: TOKEN, serverUrl: origin });
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(seen).toContain(AUTHORIZATION);
    expectNoToken(init);

    const service = join(context.cwd, 'svc');
    expect(await read(service, 'README.md')).toBe('secret sauce\n');
    const answers = await read(service, '.github/template-drift.yml');
    expect(parseAnswers(answers)).toMatchObject({ template: url, version: 'v1.0.0' });
    for (const form of SECRET_FORMS) expect(answers).not.toContain(form);

    const check = await runTemplateDrift(['check', service], { ...context, token: TOKEN, serverUrl: origin });
    expect(check.code).toBe(0);
    expectNoToken(check);
  });

  it('records a template URL that carried the token without it', async () => {
    const context = await cliContext();
    const withToken = `${origin.replace('//', `//x-access-token:${TOKEN}@`)}/acme/tpl.git`;
    const init = await runTemplateDrift(['init', 'svc', '--template', withToken], { ...context, serverUrl: origin });
    expect(init.code).toBe(0);
    expectNoToken(init);
    const answers = await read(join(context.cwd, 'svc'), '.github/template-drift.yml');
    expect(parseAnswers(answers).template).toBe(`${origin.replace('//', '//***@')}/acme/tpl.git`);
    expect(answers).not.toContain(TOKEN);
  });

  it('is never sent the token when it is not on the GitHub server', async () => {
    const context = await cliContext();
    seen.length = 0;
    const run = await runTemplateDrift(['init', 'svc', '--template', `${origin}/acme/tpl.git`], { ...context, token: TOKEN, serverUrl: 'https://github.com' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^template-drift: Cannot read template http:\/\/127\.0\.0\.1:\d+\/acme\/tpl\.git: /);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((header) => header === undefined)).toBe(true);
    expectNoToken(run);
  });
});
