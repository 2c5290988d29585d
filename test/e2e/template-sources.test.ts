import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { OWNER, type World } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';

const exec = promisify(execFile);
const world = useWorld();

const UPDATE_BRANCH = 'template-drift/update';
const ISSUE_TITLE = 'Template drift: action required';
const ALLOWED = 'The app reads templates only from the GitHub it serves';
const UNREADABLE = "cannot be read by this repository's installation of the app";

/** Another organisation with its own installation of the app, and a private template only it may read. */
const OTHER = 'globex';
const OTHER_INSTALLATION = 5353;
const SECRET = 'GLOBEX-ONLY-7f3a9c';
const SECRET_TEMPLATE = {
  'template.yml': 'name: secret-template\nvariables:\n  service_name: { pattern: "^[a-z]+$" }\nfiles:\n  enforce: ["**"]\n',
  'secret.txt': `${SECRET}\n`,
  'Dockerfile.hbs': 'FROM python:3.12-slim\nLABEL service={{service_name}}\n',
};

interface OtherInstallation {
  /** The private template's v1.0.0 commit. */
  readonly commit: string;
  /** The folder where the app cached it, for installation 5353. */
  readonly cacheFolder: string;
}

let other: Promise<OtherInstallation> | undefined;

/**
 * globex installs the app, releases its private template, and its own service gets its PR: the
 * app now holds the template in its cache. Made once for the file, on first use.
 */
function otherInstallation(w: World): Promise<OtherInstallation> {
  other ??= (async () => {
    const { github } = w;
    github.install(OTHER, { id: OTHER_INSTALLATION });
    await github.createRepo(OTHER, 'secret-tpl', { private: true, files: SECRET_TEMPLATE });
    await github.tag(OTHER, 'secret-tpl', 'v1.0.0');
    await github.createRepo(OTHER, 'globex-svc', { private: true, files: { '.github/template-drift.yml': 'template: globex/secret-tpl\nvariables: { service_name: globex }\n' } });
    await github.publishRelease(OTHER, 'secret-tpl', 'v1.0.0');
    await w.settle();
    const [pull] = await github.pulls(OTHER, 'globex-svc');
    expect(pull, 'the template works for its own installation').toMatchObject({ state: 'open', headRef: UPDATE_BRANCH });
    expect(await github.readFile(OTHER, 'globex-svc', UPDATE_BRANCH, 'secret.txt')).toBe(`${SECRET}\n`);

    const commit = (await exec('git', ['-C', github.repoDir(OTHER, 'secret-tpl'), 'rev-parse', 'v1.0.0^{commit}'])).stdout.trim();
    const templates = join(w.scratch, 'app-cache', 'installations', String(OTHER_INSTALLATION), 'templates');
    const [folder] = (await readdir(templates)).filter((name) => !name.includes('.'));
    expect(folder, 'the app cached the template for globex').toBeDefined();
    const cacheFolder = join(templates, folder!);
    expect((await exec('git', ['-C', cacheFolder, 'cat-file', '-t', commit])).stdout.trim()).toBe('commit');
    return { commit, cacheFolder };
  })();
  return other;
}

/**
 * A writer of an acme repository names `template` in its answers file and asks for an update;
 * returns the app's reply to the command.
 */
async function attack(w: World, name: string, template: string, ref?: string): Promise<string> {
  const { github } = w;
  await github.createRepo(OWNER, name, {
    files: { '.github/template-drift.yml': `template: ${JSON.stringify(template)}\nvariables: { service_name: mallory }\n`, 'README.md': `# ${name}\n` },
  });
  github.setPermission(OWNER, name, 'mallory', 'write');
  const issue = github.openIssue(OWNER, name, { title: 'Bring this in line', user: 'mallory' });
  return syncTemplate(w, name, issue, ref);
}

async function syncTemplate(w: World, name: string, issue: number, ref?: string): Promise<string> {
  const { github } = w;
  await github.comment(OWNER, name, issue, 'mallory', `/sync-template${ref ? ` ${ref}` : ''}`);
  await w.settle();
  return github.comments(OWNER, name, issue).filter((comment) => comment.user === github.botLogin).at(-1)?.body ?? '';
}

/** No update branch, no PR, the secret in no commit of any branch, and one issue that explains. */
async function expectNothingPublished(w: World, name: string, explanation: string): Promise<void> {
  const { github } = w;
  expect([...(await github.branches(OWNER, name)).keys()]).toEqual(['main']);
  expect(await github.pulls(OWNER, name)).toEqual([]);
  const dir = github.repoDir(OWNER, name);
  const refs = (await exec('git', ['-C', dir, 'for-each-ref', '--format=%(objectname)'])).stdout.split('\n').filter(Boolean);
  const grep = await exec('git', ['-C', dir, 'grep', '-l', SECRET, ...refs]).then(({ stdout }) => stdout, () => '');
  expect(grep).toBe('');
  const issues = github.issues(OWNER, name).filter((issue) => issue.title === ISSUE_TITLE);
  expect(issues).toHaveLength(1);
  expect(issues[0]!.body).toContain(explanation);
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('where the app fetches templates from, end to end', () => {
  it('refuses file:// of a bare repository on the server and of another installation\'s cache folder', async () => {
    const w = world();
    const { cacheFolder } = await otherInstallation(w);
    const sources = {
      'a-file-bare': `file://${w.github.repoDir(OTHER, 'secret-tpl')}`,
      'a-file-cache': `file://${cacheFolder}`,
      'a-path-cache': cacheFolder,
    };
    for (const [name, source] of Object.entries(sources)) {
      const reply = await attack(w, name, source);
      expect(reply).toContain(ALLOWED);
      await expectNothingPublished(w, name, ALLOWED);
    }

    // owner/repo that is also a folder beside the app (its own checkout's built-in template) is
    // still only a repository on the GitHub, which here does not exist.
    expect(await attack(w, 'a-local-name', 'templates/django-service')).toContain(UNREADABLE);
    await expectNothingPublished(w, 'a-local-name', UNREADABLE);
  });

  it('sends no request to another address on the loopback, with or without a fragment', async () => {
    const w = world();
    const requests: string[] = [];
    const port = await listen(createHttpServer((request, response) => {
      requests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'text/plain' }).end('AKIA-secret\n');
    }));
    const sources = {
      'a-http-fragment': `http://127.0.0.1:${port}/latest/meta-data/iam/security-credentials/#`,
      'a-http-plain': `http://127.0.0.1:${port}/latest/meta-data`,
      'a-http-userinfo': `${w.github.url}@127.0.0.1:${port}/acme/tpl.git`,
    };
    for (const [name, source] of Object.entries(sources)) {
      const reply = await attack(w, name, source);
      expect(reply).toContain(ALLOWED);
      await expectNothingPublished(w, name, ALLOWED);
    }
    expect(requests).toEqual([]);
  });

  it('opens no connection for ssh://', async () => {
    const w = world();
    let connections = 0;
    const port = await listen(createTcpServer((socket) => {
      connections += 1;
      socket.end('SSH-2.0-OpenSSH_9.2\r\n');
    }));
    const reply = await attack(w, 'a-ssh', `ssh://127.0.0.1:${port}/x`);
    expect(reply).toContain('ssh:// is not fetched by the app');
    await expectNothingPublished(w, 'a-ssh', ALLOWED);
    expect(connections).toBe(0);
  });

  it('refuses another installation\'s private template by owner/repo, also when a writer names its cached commit', async () => {
    const w = world();
    const { commit } = await otherInstallation(w);
    const reply = await attack(w, 'a-steal', 'globex/secret-tpl');
    expect(reply).toContain(`Template globex/secret-tpl ${UNREADABLE}`);
    const [issue] = w.github.issues(OWNER, 'a-steal').filter((entry) => !entry.isPull && entry.title !== ISSUE_TITLE);
    const bySha = await syncTemplate(w, 'a-steal', issue!.number, commit);
    expect(bySha).toContain(`Template globex/secret-tpl ${UNREADABLE}`);
    await expectNothingPublished(w, 'a-steal', UNREADABLE);

    // Its clone URL on the served host is the same repository, and meets the same check.
    expect(await attack(w, 'a-steal-url', `${w.github.url}/globex/secret-tpl.git`, commit)).toContain(UNREADABLE);
    await expectNothingPublished(w, 'a-steal-url', UNREADABLE);
  });

  it('still uses a public template of another organisation, read without credentials', async () => {
    const w = world();
    const { github } = w;
    await otherInstallation(w);
    await github.createRepo(OTHER, 'open-tpl', { files: { ...SECRET_TEMPLATE, 'secret.txt': 'nothing secret here\n' } });
    await github.tag(OTHER, 'open-tpl', 'v1.0.0');
    const reply = await attack(w, 'a-public', `${github.url}/globex/open-tpl.git`);
    const [pull] = await github.pulls(OWNER, 'a-public');
    expect(reply).toContain(`/pull/${pull?.number ?? 0}`);
    expect(await github.readFile(OWNER, 'a-public', UPDATE_BRANCH, 'Dockerfile')).toBe('FROM python:3.12-slim\nLABEL service=mallory\n');
  });
});
