import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '@octokit/webhooks-methods';
import { Probot, ProbotOctokit } from 'probot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blobId } from '../../src/engine/blob-id.js';
import { ServiceClone } from '../../src/git/service-clone.js';
import { OctokitAppPlatform } from '../../src/github/octokit-app-platform.js';
import { OctokitPlatform } from '../../src/github/octokit-platform.js';
import { LocalGitHub } from '../support/local-github/index.js';
import { git, runGit } from '../support/local-github/git.js';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const OWNER = 'acme';
const INSTALLATION = 4242;

type Received = { headers: IncomingHttpHeaders; body: string };

let github: LocalGitHub;
let octokit: InstanceType<typeof ProbotOctokit>;
let probot: Probot;
let receiver: Server;
const received: Received[] = [];
const scratch: string[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
  // Response checking on: this file is where the local GitHub's own answers are held to the description.
  github = await LocalGitHub.start({ webhookUrl, appId: 7, appKey: privateKey, validateResponses: true });
  github.install(OWNER, { id: INSTALLATION });
  probot = new Probot({
    appId: 7, privateKey, baseUrl: github.apiUrl, logLevel: 'fatal',
    // A function, not an object: Probot's own throttle defaults would replace `{ enabled: false }`
    // wholesale, leaving the write limiter on (one second between writes).
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { ...(options.throttle as object), enabled: false } })),
  });
  octokit = await probot.auth(INSTALLATION);
});

afterEach(async () => {

  await github.idle();
  github.assertNoViolations();
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

afterAll(async () => {
  await github.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

/** A token as the app mints one: one repository, only the permissions asked for. */
async function token(repo: string, permissions: Record<string, 'read' | 'write'>): Promise<string> {
  const app = await probot.auth();
  const { data } = await app.rest.apps.createInstallationAccessToken({ installation_id: INSTALLATION, repositories: [repo], permissions });
  return data.token;
}

function authHeader(value: string): string[] {
  return ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${value}`).toString('base64')}`];
}

async function cloneOf(repo: string, auth: string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'local-github-test-'));
  scratch.push(dir);
  await git(dir, [...auth, 'clone', '--quiet', '--filter=blob:none', github.cloneUrl(OWNER, repo), '.']);
  return dir;
}

async function commitIn(dir: string, path: string, content: string): Promise<string> {
  await writeFile(join(dir, path), content);
  await git(dir, ['add', path]);
  await git(dir, ['commit', '--quiet', '-m', `change ${path}`], { env: { GIT_AUTHOR_NAME: 'Bot', GIT_AUTHOR_EMAIL: 'bot@example.com', GIT_COMMITTER_NAME: 'Bot', GIT_COMMITTER_EMAIL: 'bot@example.com' } });
  return git(dir, ['rev-parse', 'HEAD']);
}

describe('LocalGitHub', () => {
  it('records a request of the wrong type and one to an unknown route as violations', async () => {
    await github.createRepo(OWNER, 'violations', { files: { 'README.md': 'hi\n' } });
    const wrongType = octokit.request('POST /repos/{owner}/{repo}/pulls', { owner: OWNER, repo: 'violations', title: 't', head: 'x', base: 'main', draft: 'yes' as unknown as boolean });
    await expect(wrongType).rejects.toMatchObject({ status: 400 });
    await expect(octokit.request('GET /repos/{owner}/{repo}/no-such-thing', { owner: OWNER, repo: 'violations' })).rejects.toMatchObject({ status: 404 });

    expect(github.violations()).toMatchObject([
      { kind: 'invalid-request', method: 'POST', operationId: 'pulls/create', body: { draft: 'yes' }, errors: ['/requestBody/draft must be boolean'] },
      { kind: 'unknown-route', method: 'GET', path: '/repos/acme/violations/no-such-thing' },
    ]);
    expect(() => github.assertNoViolations()).toThrow(/draft must be boolean/);
    expect(github.violations()).toEqual([]);
  });

  it('serves clones to a token, refuses pushes without one or with a read-only one', async () => {
    await github.createRepo(OWNER, 'secret', { private: true, files: { 'a.txt': 'one\n', 'bin/run': { content: '#!/bin/sh\n', executable: true } } });
    const denied = await runGit(tmpdir(), ['ls-remote', github.cloneUrl(OWNER, 'secret')]);
    expect(denied.stderr).toMatch(/Authentication|could not read Username|401/i);

    const dir = await cloneOf('secret', authHeader(await token('secret', { contents: 'read' })));
    expect(await git(dir, ['ls-files', '-s', 'bin/run'])).toMatch(/^100755 /);
    const sha = await commitIn(dir, 'a.txt', 'two\n');

    const anonymous = await runGit(dir, ['push', 'origin', 'HEAD:refs/heads/main']);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/Authentication|could not read Username|401/i);
    const readOnly = await runGit(dir, [...authHeader(await token('secret', { contents: 'read' })), 'push', 'origin', 'HEAD:refs/heads/main']);
    expect(readOnly.stderr).toMatch(/403/);
    await git(dir, [...authHeader(await token('secret', { contents: 'write' })), 'push', '--quiet', 'origin', 'HEAD:refs/heads/main']);

    expect((await github.branches(OWNER, 'secret')).get('main')).toBe(sha);
    expect(github.requestCount('POST', '/acme/secret.git/git-receive-pack')).toBe(1);
  });

  it('serves the app\'s own git traffic: shallow blobless clone, blobs by SHA, push with a lease', async () => {
    await github.createRepo(OWNER, 'cloned', { private: true, files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    const clone = await ServiceClone.open({
      cloneUrl: github.cloneUrl(OWNER, 'cloned'), branch: 'main', token: await token('cloned', { contents: 'write' }), committer: { name: 'Bot', email: 'bot@example.com' },
    });
    try {
      const files = await clone.readFiles(['a.txt', 'b.txt'], []);
      expect(files.get('b.txt')?.content.toString('utf8')).toBe('b\n');
      const { sha } = await clone.commit(new Map([['c.txt', { mode: '100644', content: Buffer.from('c\n') }]]), ['a.txt'], 'Update');
      await clone.push(sha, 'template-drift/update', undefined);
      expect(await github.branches(OWNER, 'cloned')).toEqual(new Map([['main', clone.head], ['template-drift/update', sha]]));
      const second = await clone.commit(new Map([['c.txt', { mode: '100644', content: Buffer.from('c2\n') }]]), [], 'Again');
      await expect(clone.push(second.sha, 'template-drift/update', undefined)).rejects.toThrow(/failed to push/);
    } finally {
      await clone.dispose();
    }
    expect(await github.readFile(OWNER, 'cloned', 'template-drift/update', 'c.txt')).toBe('c\n');
    expect(await github.readFile(OWNER, 'cloned', 'template-drift/update', 'a.txt')).toBeUndefined();
  });

  it('brings the push branch with the clone\'s own fetch, and pushes without fetching what it lacks', async () => {
    await github.createRepo(OWNER, 'pushed', { private: true, files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    const main = (await github.branches(OWNER, 'pushed')).get('main')!;
    const person = await github.commit(OWNER, 'pushed', 'template-drift/update', { 'a.txt': 'mine\n' });
    await github.commit(OWNER, 'pushed', 'template-drift/update-old', { 'b.txt': 'old\n' });
    const clone = await ServiceClone.open({
      cloneUrl: github.cloneUrl(OWNER, 'pushed'), branch: 'main', pushBranch: 'template-drift/update',
      token: await token('pushed', { contents: 'write' }), committer: { name: 'Bot', email: 'bot@example.com' },
    });
    try {
      // One ref listing and one pack: no ls-remote and no second fetch for the update branch.
      expect(github.requestCount('GET', '/acme/pushed.git/info/refs')).toBe(1);
      expect(github.requestCount('POST', '/acme/pushed.git/git-upload-pack')).toBe(2);
      const remote = await clone.branchAtOpen();
      expect(remote).toMatchObject({ sha: person, parent: main });
      expect(remote?.committerEmail).not.toBe('bot@example.com');
      // b.txt changes without having been read: a thin pack would fetch its old blob as a delta base.
      const writes = new Map([['b.txt', { mode: '100644' as const, content: Buffer.from('b\nand more of b\n') }], ['c.txt', { mode: '100644' as const, content: Buffer.from('c\n') }]]);
      const { sha } = await clone.commit(writes, ['a.txt'], 'Update');
      // A lease on the branch as cloned: what a person pushed since is never overwritten.
      const later = await github.commit(OWNER, 'pushed', 'template-drift/update', { 'a.txt': 'mine again\n' });
      await expect(clone.push(sha, 'template-drift/update', remote?.sha)).rejects.toThrow(/stale info/);
      expect((await github.branches(OWNER, 'pushed')).get('template-drift/update')).toBe(later);
      await clone.push(sha, 'template-drift/new', undefined);
      // Each push lists the refs (the refused one stops there), and neither the commit nor the
      // push fetches a blob the blobless clone lacks.
      expect(github.requestCount('GET', '/acme/pushed.git/info/refs')).toBe(3);
      expect(github.requestCount('POST', '/acme/pushed.git/git-receive-pack')).toBe(1);
      expect(github.requestCount('POST', '/acme/pushed.git/git-upload-pack')).toBe(2);
    } finally {
      await clone.dispose();
    }
    expect(await github.readFile(OWNER, 'pushed', 'template-drift/new', 'c.txt')).toBe('c\n');

    const fresh = await ServiceClone.open({
      cloneUrl: github.cloneUrl(OWNER, 'pushed'), branch: 'main', pushBranch: 'template-drift/update-o',
      token: await token('pushed', { contents: 'read' }), committer: { name: 'Bot', email: 'bot@example.com' },
    });
    try {
      expect(await fresh.branchAtOpen()).toBeUndefined();
    } finally {
      await fresh.dispose();
    }
  });

  it('refuses workflow changes from a token without the workflows permission, as GitHub does', async () => {
    await github.createRepo(OWNER, 'flows', { files: { 'README.md': 'x\n' } });
    const dir = await cloneOf('flows');
    await git(dir, ['checkout', '--quiet', '-b', 'ci']);
    await mkdir(join(dir, '.github/workflows'), { recursive: true });
    await commitIn(dir, '.github/workflows/ci.yml', 'on: push\n');
    const refused = await runGit(dir, [...authHeader(await token('flows', { contents: 'write' })), 'push', 'origin', 'ci']);
    expect(refused.stderr).toMatch(/without `workflows` permission/);
    await git(dir, [...authHeader(await token('flows', { contents: 'write', workflows: 'write' })), 'push', '--quiet', 'origin', 'ci']);
  });

  it('moves an open pull request\'s head when its branch is pushed, and sends synchronize', async () => {
    await github.createRepo(OWNER, 'service', { files: { 'app.txt': 'v1\n' } });
    await github.commit(OWNER, 'service', 'template-drift/update', { 'app.txt': 'v2\n' });
    const { data: created } = await octokit.rest.pulls.create({ owner: OWNER, repo: 'service', title: 'Update', head: 'template-drift/update', base: 'main', body: 'b', draft: false, maintainer_can_modify: false });
    await expect(octokit.rest.pulls.create({ owner: OWNER, repo: 'service', title: 'again', head: 'template-drift/update', base: 'main' }))
      .rejects.toMatchObject({ status: 422, message: expect.stringMatching(/already exists/) as unknown });

    const dir = await cloneOf('service');
    await git(dir, ['checkout', '--quiet', 'template-drift/update']);
    const sha = await commitIn(dir, 'app.txt', 'v3\n');
    await git(dir, [...authHeader(await token('service', { contents: 'write' })), 'push', '--quiet', 'origin', 'template-drift/update']);

    const { data: pull } = await octokit.rest.pulls.get({ owner: OWNER, repo: 'service', pull_number: created.number });
    expect(pull.head.sha).toBe(sha);
    const listed = await octokit.rest.pulls.list({ owner: OWNER, repo: 'service', state: 'open', head: `${OWNER}:template-drift/update` });
    expect(listed.data.map((p) => [p.number, p.head.ref, p.head.sha])).toEqual([[created.number, 'template-drift/update', sha]]);
    await github.idle();
    const synchronize = received.map((r) => JSON.parse(r.body) as { action?: string; after?: string }).find((p) => p.action === 'synchronize');
    expect(synchronize?.after).toBe(sha);
  });

  it('merges through PUT .../merge with a merge commit on main and sends signed push and closed webhooks', async () => {
    await github.createRepo(OWNER, 'merging', { files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    const head = await github.commit(OWNER, 'merging', 'feature', { 'b.txt': 'B\n' });
    const before = await github.commit(OWNER, 'merging', 'main', { 'a.txt': 'A\n' });
    const number = github.openPull(OWNER, 'merging', { head: 'feature', title: 'Feature' });
    await github.idle();
    received.length = 0;

    const { data } = await octokit.rest.pulls.merge({ owner: OWNER, repo: 'merging', pull_number: number, sha: head });
    const merge = await github.commitInfo(OWNER, 'merging', 'main');
    expect(merge.sha).toBe(data.sha);
    expect(merge.parents).toEqual([before, head]);
    expect(await github.readFile(OWNER, 'merging', 'main', 'a.txt')).toBe('A\n');
    expect(await github.readFile(OWNER, 'merging', 'main', 'b.txt')).toBe('B\n');
    expect(await github.pull(OWNER, 'merging', number)).toMatchObject({ state: 'closed', merged: true, mergeCommitSha: data.sha });

    await github.idle();
    const events = received.map((r) => ({ event: r.headers['x-github-event'], payload: JSON.parse(r.body) as Record<string, unknown> }));
    expect(events.map((e) => e.event)).toEqual(['push', 'pull_request']);
    expect(events[0]!.payload).toMatchObject({ ref: 'refs/heads/main', before, after: data.sha, installation: { id: INSTALLATION } });
    expect(events[1]!.payload).toMatchObject({ action: 'closed', number, pull_request: { merged: true, merge_commit_sha: data.sha, head: { ref: 'feature' } } });
    for (const delivery of received) {
      expect(await verify(github.webhookSecret, delivery.body, String(delivery.headers['x-hub-signature-256']))).toBe(true);
    }

    const [first] = github.deliveries().filter((d) => d.event === 'push' && d.body === received[0]!.body);
    await github.redeliver(first!.id);
    expect(received.at(-1)).toMatchObject({ body: received[0]!.body, headers: { 'x-github-delivery': first!.id } });
  });

  it('refuses to merge a conflicting pull request, as GitHub does', async () => {
    await github.createRepo(OWNER, 'conflict', { files: { 'a.txt': 'a\n' } });
    await github.commit(OWNER, 'conflict', 'feature', { 'a.txt': 'feature\n' });
    await github.commit(OWNER, 'conflict', 'main', { 'a.txt': 'main\n' });
    const number = github.openPull(OWNER, 'conflict', { head: 'feature', title: 'Conflicting' });
    expect((await octokit.rest.pulls.get({ owner: OWNER, repo: 'conflict', pull_number: number })).data).toMatchObject({ mergeable: false, mergeable_state: 'dirty' });
    await expect(octokit.rest.pulls.merge({ owner: OWNER, repo: 'conflict', pull_number: number })).rejects.toMatchObject({ status: 405 });
    expect(await github.readFile(OWNER, 'conflict', 'main', 'a.txt')).toBe('main\n');
  });

  it('pages lists with a Link header and lets octokit follow it', async () => {
    await github.createRepo(OWNER, 'paging', { files: { 'x': 'x\n' } });
    for (let i = 1; i <= 5; i += 1) github.openIssue(OWNER, 'paging', { title: `issue ${i}`, labels: ['template-drift'] });
    const first = await octokit.rest.issues.listForRepo({ owner: OWNER, repo: 'paging', per_page: 2, labels: 'template-drift' });
    expect(first.data.map((issue) => issue.number)).toEqual([5, 4]);
    expect(first.headers.link).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/api\/v3\/repos\/acme\/paging\/issues\?[^>]*page=2[^>]*>; rel="next"/);
    expect(first.headers.link).toMatch(/page=3[^>]*>; rel="last"/);
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, { owner: OWNER, repo: 'paging', state: 'all', per_page: 2 });
    expect(all.map((issue) => issue.number)).toEqual([5, 4, 3, 2, 1]);
  });

  it('answers every endpoint the app uses in the shape GitHub describes', async () => {
    await github.createRepo(OWNER, 'tour', { files: { 'docs/guide.md': 'guide\n', '.template-drift.yml': 'template: acme/template\n' } });
    await github.commit(OWNER, 'tour', 'topic', { 'docs/guide.md': 'guide v2\n' });
    github.setPermission(OWNER, 'tour', 'maintainer', 'maintain');
    const repo = { owner: OWNER, repo: 'tour' };

    expect((await octokit.rest.repos.get(repo)).data).toMatchObject({ default_branch: 'main', clone_url: github.cloneUrl(OWNER, 'tour'), archived: false });
    const installed = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    expect(installed.map((r) => r.full_name)).toContain('acme/tour');
    const file = (await octokit.rest.repos.getContent({ ...repo, path: 'docs/guide.md', ref: 'topic' })).data as { content: string };
    expect(Buffer.from(file.content, 'base64').toString('utf8')).toBe('guide v2\n');
    await expect(octokit.rest.repos.getContent({ ...repo, path: 'missing.txt' })).rejects.toMatchObject({ status: 404 });
    expect((await octokit.rest.repos.getContent({ ...repo, path: 'docs' })).data).toMatchObject([{ name: 'guide.md', type: 'file' }]);
    expect((await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'maintainer' })).data).toMatchObject({ permission: 'write', role_name: 'maintain' });
    expect((await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'stranger' })).data).toMatchObject({ permission: 'none' });

    const compare = (await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: 'main...topic' })).data;
    expect(compare).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0, files: [{ filename: 'docs/guide.md', status: 'modified' }] });
    expect((await octokit.rest.repos.getCommit({ ...repo, ref: 'topic' })).data.files?.map((f) => f.filename)).toEqual(['docs/guide.md']);
    // A file's history (the app's read of the answers file's versions), one commit a page to follow the Link header.
    const [topicSha, mainSha] = await Promise.all(['topic', 'main'].map(async (ref) => (await octokit.rest.repos.getCommit({ ...repo, ref })).data.sha));
    const guideHistory = await octokit.paginate(octokit.rest.repos.listCommits, { ...repo, path: 'docs/guide.md', sha: 'topic', per_page: 1 });
    expect(guideHistory.map((c) => c.sha)).toEqual([topicSha, mainSha]);
    expect((await octokit.rest.repos.listCommits({ ...repo, path: '.template-drift.yml', sha: topicSha })).data.map((c) => c.sha)).toEqual([mainSha]);

    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: 'Action required', body: 'b', labels: ['template-drift'] });
    await octokit.rest.issues.update({ ...repo, issue_number: issue.number, body: 'b2', state: 'closed' });
    const { data: pull } = await octokit.rest.pulls.create({ ...repo, title: 'Topic', head: 'topic', base: 'main' });
    expect(pull.number).toBe(issue.number + 1);
    await octokit.rest.issues.addLabels({ ...repo, issue_number: pull.number, labels: ['template-drift', 'conflicts'] });
    expect((await octokit.rest.issues.removeLabel({ ...repo, issue_number: pull.number, name: 'conflicts' })).data.map((l) => l.name)).toEqual(['template-drift']);
    await expect(octokit.rest.issues.removeLabel({ ...repo, issue_number: pull.number, name: 'conflicts' })).rejects.toMatchObject({ status: 404 });
    const { data: updated } = await octokit.rest.pulls.update({ ...repo, pull_number: pull.number, title: 'Topic!', body: 'new' });
    expect(updated).toMatchObject({ title: 'Topic!', mergeable: true, labels: [{ name: 'template-drift' }] });

    const { commentId } = await github.comment(OWNER, 'tour', pull.number, 'maintainer', '/sync-template');
    await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content: 'eyes' });
    await octokit.rest.issues.createComment({ ...repo, issue_number: pull.number, body: 'On it.' });
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: pull.number, per_page: 100 });
    expect(comments.map((c) => [c.user?.login, c.body])).toEqual([['maintainer', '/sync-template'], [github.botLogin, 'On it.']]);
    expect(github.comments(OWNER, 'tour', pull.number)[0]!.reactions).toEqual([{ user: github.botLogin, content: 'eyes' }]);
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, state: 'all', labels: 'template-drift', per_page: 100 });
    expect(issues.map((i) => [i.number, Boolean(i.pull_request), i.state])).toEqual([[pull.number, true, 'open'], [issue.number, false, 'closed']]);

    await github.publishRelease(OWNER, 'tour', 'v1.0.0', { body: 'notes', prerelease: true });
    expect((await octokit.rest.repos.listReleases(repo)).data).toMatchObject([{ tag_name: 'v1.0.0', prerelease: true, body: 'notes' }]);

    await octokit.rest.pulls.update({ ...repo, pull_number: pull.number, state: 'closed' });
    await octokit.rest.git.deleteRef({ ...repo, ref: 'heads/topic' });
    await expect(octokit.rest.git.deleteRef({ ...repo, ref: 'heads/topic' })).rejects.toMatchObject({ status: 422 });
    expect([...(await github.branches(OWNER, 'tour')).keys()]).toEqual(['main']);
  });

  it('serves trees by branch name, recursive or one folder, with git\'s blob ids (what the fleet scan compares)', async () => {
    await github.createRepo(OWNER, 'trees', { files: { 'Dockerfile': 'FROM python\n', '.circleci/config.yml': { content: 'version: 2.1\n', executable: true } } });
    const platform = new OctokitPlatform({ octokit, createToken: () => Promise.reject(new Error('no tokens here')), serializeWrite: (write) => write() });
    const blobs = await platform.treeBlobs({ owner: OWNER, repo: 'trees' }, 'main', ['Dockerfile', '.circleci/config.yml', '.circleci', 'missing']);
    expect(Object.fromEntries(blobs)).toEqual({
      Dockerfile: { sha: blobId(Buffer.from('FROM python\n')), mode: '100644' },
      '.circleci/config.yml': { sha: blobId(Buffer.from('version: 2.1\n')), mode: '100755' },
    });
    const root = (await octokit.rest.git.getTree({ owner: OWNER, repo: 'trees', tree_sha: 'main' })).data;
    expect(root.tree.map((entry) => [entry.path, entry.type])).toEqual([['.circleci', 'tree'], ['Dockerfile', 'blob']]);
    await expect(octokit.rest.git.getTree({ owner: OWNER, repo: 'trees', tree_sha: 'no-such-branch' })).rejects.toMatchObject({ status: 404 });
  });

  it('records each webhook delivery with its outcome, lists them by cursor to the app, and redelivers one on request', async () => {
    const reachable = github.webhookUrl;
    const since = new Date(Date.now() - 1000);
    github.webhookUrl = 'http://127.0.0.1:9/api/github/webhooks'; // the discard port: nothing listens there
    const missed = await github.deliver('ping', { zen: 'missed', installation: { id: INSTALLATION } });
    github.webhookUrl = reachable;
    const ours = [missed.id];
    for (const zen of ['a', 'b']) ours.push((await github.deliver('ping', { zen })).id);
    const app = new OctokitAppPlatform(await probot.auth());

    // Only this test's deliveries: on a quick machine the previous tests' fall within the same second.
    const listed = (await app.hookDeliveries(since)).filter((d) => ours.includes(d.guid));
    expect(listed.map((d) => [d.guid === missed.id, d.statusCode, d.redelivery, d.installationId])).toEqual([[false, 200, false, null], [false, 200, false, null], [true, 0, false, INSTALLATION]]);
    const appOctokit = await probot.auth();
    const paged = await appOctokit.paginate(appOctokit.rest.apps.listWebhookDeliveries, { per_page: 2 });
    expect(paged.slice(0, 3).map((d) => d.id)).toEqual(listed.map((d) => d.id));
    const failures = await appOctokit.rest.apps.listWebhookDeliveries({ status: 'failure', per_page: 100 });
    expect(failures.data.map((d) => d.guid)).toContain(missed.id);

    await app.redeliver(listed[2]!.id);
    await github.idle();
    const again = github.deliveries().filter((d) => d.id === missed.id);
    expect(again.map((d) => [d.redelivery, d.status, d.body === missed.body])).toEqual([[false, undefined, true], [true, 200, true]]);
    expect(received.at(-1)?.headers['x-github-delivery']).toBe(missed.id);
    await expect(app.redeliver(999_999)).rejects.toMatchObject({ status: 404 });
    expect((await app.installations())).toContain(INSTALLATION);
  });

  it('injects failures and counts requests per route', async () => {
    await github.createRepo(OWNER, 'faulty', { files: { 'x': 'x\n' } });
    github.failNext('GET', '/repos/{owner}/{repo}', { status: 502 });
    github.failNext('POST', '/repos/{owner}/{repo}/issues', { status: 403, retryAfter: 1, message: 'You have exceeded a secondary rate limit. Please wait.' });
    await expect(octokit.rest.repos.get({ owner: OWNER, repo: 'faulty' })).rejects.toMatchObject({ status: 502 });
    await expect(octokit.rest.issues.create({ owner: OWNER, repo: 'faulty', title: 't' })).rejects.toMatchObject({
      status: 403, response: { headers: { 'retry-after': '1' } }, message: expect.stringMatching(/secondary rate limit/) as unknown,
    });
    expect((await octokit.rest.repos.get({ owner: OWNER, repo: 'faulty' })).status).toBe(200);
    expect(github.requestCount('GET', '/repos/acme/faulty')).toBe(2);
    expect(github.requestCount('POST', '/repos/{owner}/faulty/issues')).toBe(1);
  });
});

describe('LocalGitHub: "Use this template"', () => {
  it('POST generate copies the template\'s default branch as one "Initial commit", records template_repository, and sends repository.created with it', async () => {
    await github.createRepo(OWNER, 'tpl', { files: { 'template.yml': 'name: tpl\n', 'Dockerfile.hbs': 'FROM {{x}}\n' } });
    await github.commit(OWNER, 'tpl', 'main', { 'README.md': 'docs\n' });
    await expect(octokit.rest.repos.createUsingTemplate({ template_owner: OWNER, template_repo: 'tpl', owner: OWNER, name: 'copy' })).rejects.toMatchObject({ status: 422 });

    await github.updateRepo(OWNER, 'tpl', { isTemplate: true });
    const { data } = await octokit.rest.repos.createUsingTemplate({ template_owner: OWNER, template_repo: 'tpl', owner: OWNER, name: 'copy', private: true });
    expect(data).toMatchObject({ full_name: 'acme/copy', private: true, template_repository: { full_name: 'acme/tpl', is_template: true } });
    const head = await github.commitInfo(OWNER, 'copy', 'main');
    expect(head).toMatchObject({ parents: [], tree: (await github.commitInfo(OWNER, 'tpl', 'main')).tree });
    expect(head.message.trim()).toBe('Initial commit');
    expect(await github.readFile(OWNER, 'copy', 'main', 'Dockerfile.hbs')).toBe('FROM {{x}}\n');
    expect((await octokit.rest.repos.get({ owner: OWNER, repo: 'copy' })).data.template_repository?.full_name).toBe('acme/tpl');
    expect((await octokit.rest.repos.get({ owner: OWNER, repo: 'tpl' })).data).toMatchObject({ is_template: true, template_repository: null });

    await github.idle();
    const deliveries = received.map((delivery) => ({ event: delivery.headers['x-github-event'], body: JSON.parse(delivery.body) as Record<string, unknown> }));
    const created = deliveries.find((delivery) => delivery.event === 'repository' && delivery.body.action === 'created');
    expect(created?.body.repository).toMatchObject({ full_name: 'acme/copy', template_repository: { full_name: 'acme/tpl' } });
    expect(created?.body.installation).toMatchObject({ id: INSTALLATION });
  });
});

describe('LocalGitHub: check runs and a pull request\'s files', () => {
  it('lists the files a PR changes, makes check runs whose annotations updates append, and finds the latest by name', async () => {
    await github.createRepo(OWNER, 'checked', { files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    const head = await github.commit(OWNER, 'checked', 'change', { 'a.txt': 'a2\n', 'b.txt': null, 'c.txt': 'c\n' });
    const number = github.openPull(OWNER, 'checked', { head: 'change', title: 'Change' });

    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: OWNER, repo: 'checked', pull_number: number, per_page: 2 });
    expect(files.map((file) => `${file.status} ${file.filename}`).sort()).toEqual(['added c.txt', 'modified a.txt', 'removed b.txt']);

    const annotation = { path: 'a.txt', start_line: 1, end_line: 1, annotation_level: 'warning' as const, message: 'm' };
    const { data: run } = await octokit.rest.checks.create({
      owner: OWNER, repo: 'checked', name: 'Template drift', head_sha: head, status: 'completed', conclusion: 'neutral',
      output: { title: 't', summary: 's', annotations: [annotation] },
    });
    await octokit.rest.checks.update({ owner: OWNER, repo: 'checked', check_run_id: run.id, output: { title: 't', summary: 's', annotations: [{ ...annotation, path: 'c.txt' }] } });
    expect(github.checkRuns(OWNER, 'checked')).toMatchObject([{ name: 'Template drift', conclusion: 'neutral', headSha: head, annotations: [{ path: 'a.txt' }, { path: 'c.txt' }] }]);
    const { data: listed } = await octokit.rest.checks.listForRef({ owner: OWNER, repo: 'checked', ref: head, check_name: 'Template drift' });
    expect(listed.check_runs.map((r) => r.id)).toEqual([run.id]);
    expect(listed.check_runs[0]?.output.annotations_count).toBe(2);
  });

  it('refuses check runs to an installation without checks: write, as GitHub does', async () => {
    await github.createRepo('other', 'unchecked', { files: { 'a.txt': 'a\n' } });
    const id = github.install('other', { permissions: { contents: 'write', metadata: 'read' } });
    const other = await probot.auth(id);
    const sha = (await github.branches('other', 'unchecked')).get('main')!;
    await expect(other.rest.checks.create({ owner: 'other', repo: 'unchecked', name: 'x', head_sha: sha, status: 'completed', conclusion: 'neutral' }))
      .rejects.toMatchObject({ status: 403 });
  });
});
