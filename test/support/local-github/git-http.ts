import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname } from 'node:path';
import { canPush, canRead, type Caller } from './auth.js';
import type { Events, RefChange } from './events.js';
import { ZERO_SHA, gitEnv } from './git.js';
import type { Hub } from './hub.js';
import { repoKey, type RepoRecord } from './types.js';

/** `/{owner}/{repo}.git/{rest}`: the paths git's smart HTTP protocol uses. */
export const GIT_PATH = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/;

/**
 * Serves a repository over git's smart HTTP protocol through `git http-backend` (CGI), with
 * GitHub's rules: pushes need an installation token that reaches the repository with contents
 * write; private repositories need one to be read at all. Returns the HTTP status sent.
 */
export class GitHttp {
  /** One push at a time per repository, so the refs before and after belong to that push. */
  private readonly pushLocks = new Map<string, Promise<unknown>>();

  constructor(private readonly hub: Hub, private readonly events: Events) {}

  async serve(request: IncomingMessage, response: ServerResponse, url: URL, caller: Caller): Promise<number> {
    const [, owner = '', name = '', rest = ''] = GIT_PATH.exec(url.pathname) ?? [];
    const repo = this.hub.state.repo(owner, name);
    const push = rest === '/git-receive-pack' || url.searchParams.get('service') === 'git-receive-pack';
    const refusal = repo ? this.refusal(repo, caller, push) : { status: 404, message: 'Repository not found.' };
    if (refusal) {
      response.writeHead(refusal.status, {
        'content-type': 'text/plain',
        ...(refusal.status === 401 && { 'www-authenticate': 'Basic realm="GitHub"' }),
      });
      response.end(`${refusal.message}\n`);
      return refusal.status;
    }
    const target = repo!;
    if (!push || request.method !== 'POST') return this.backend(request, response, url, target, rest, caller);
    const key = repoKey(target.owner, target.name);
    const previous = this.pushLocks.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.receivePack(request, response, url, target, rest, caller));
    this.pushLocks.set(key, run.catch(() => undefined));
    return run;
  }

  private refusal(repo: RepoRecord, caller: Caller, push: boolean): { status: number; message: string } | undefined {
    if (caller.kind === 'invalid' || this.expiredFor(caller, push)) return { status: 401, message: 'Invalid username or token. Password authentication is not supported for Git operations.' };
    if (!push) {
      if (canRead(caller, repo, this.hub.state)) return undefined;
      return caller.kind === 'anonymous' ? { status: 401, message: 'Authentication required' } : { status: 404, message: 'Repository not found.' };
    }
    if (caller.kind === 'anonymous') return { status: 401, message: 'Authentication required' };
    if (!canPush(caller, repo, this.hub.state)) return { status: 403, message: `Permission to ${repo.owner}/${repo.name}.git denied.` };
    if (repo.archived) return { status: 403, message: 'This repository was archived so it is read-only.' };
    return undefined;
  }

  /**
   * A short-lived repository token (state.repositoryTokenLifetimeMs) first used to fetch (a
   * clone) has expired by the time of a push. (One first used for a push may still fetch: git
   * fetches what a partial clone lacks in the middle of a push.)
   */
  private expiredFor(caller: Caller, push: boolean): boolean {
    if (caller.kind !== 'installation' || !this.hub.state.shortLived(caller.token)) return false;
    const first = this.hub.state.tokenServices.get(caller.token.token) ?? (push ? 'receive-pack' : 'upload-pack');
    this.hub.state.tokenServices.set(caller.token.token, first);
    return push && first === 'upload-pack';
  }

  /** A push: the refs are compared before and after, and GitHub's reactions follow before the response ends. */
  private async receivePack(request: IncomingMessage, response: ServerResponse, url: URL, repo: RepoRecord, rest: string, caller: Caller): Promise<number> {
    const git = this.hub.git(repo);
    const before = await git.refs();
    // The response stays open until the state is updated, so the pusher's next API call sees the push.
    const status = await this.backend(request, response, url, repo, rest, caller, false);
    const after = await git.refs();
    const changes: RefChange[] = [...new Set([...before.keys(), ...after.keys()])]
      .filter((ref) => before.get(ref) !== after.get(ref))
      .map((ref) => ({ ref, before: before.get(ref) ?? ZERO_SHA, after: after.get(ref) ?? ZERO_SHA }));
    if (changes.length > 0) await this.events.refsChanged(repo, changes, this.hub.botLogin, 'background');
    response.end();
    return status;
  }

  private backend(request: IncomingMessage, response: ServerResponse, url: URL, repo: RepoRecord, rest: string, caller: Caller, end = true): Promise<number> {
    return new Promise((resolve, reject) => {
      const header = (name: string): string => String(request.headers[name] ?? '');
      const child = spawn('git', ['http-backend'], {
        env: gitEnv({
          GIT_PROJECT_ROOT: dirname(repo.dir),
          GIT_HTTP_EXPORT_ALL: '1',
          PATH_INFO: `/${basename(repo.dir)}${rest}`,
          REQUEST_METHOD: request.method ?? 'GET',
          QUERY_STRING: url.search.replace(/^\?/, ''),
          CONTENT_TYPE: header('content-type'),
          ...(request.headers['content-length'] && { CONTENT_LENGTH: header('content-length') }),
          HTTP_CONTENT_ENCODING: header('content-encoding'),
          // Protocol v2 (and with it `--filter`) is negotiated through this header.
          HTTP_GIT_PROTOCOL: header('git-protocol'),
          REMOTE_USER: caller.kind === 'installation' ? 'x-access-token' : '',
          REMOTE_ADDR: '127.0.0.1',
          // Read by the pre-receive hook: workflow files need the workflows permission.
          LOCAL_GITHUB_WORKFLOWS: caller.kind === 'installation' ? caller.token.permissions.workflows ?? '' : '',
        }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let head = Buffer.alloc(0);
      let status = 0;
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.stdout.on('data', (chunk: Buffer) => {
        if (status !== 0) {
          response.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const parsed = parseCgiHead(head);
        if (!parsed) return;
        status = parsed.status;
        response.writeHead(parsed.status, parsed.headers);
        if (parsed.body.length > 0) response.write(parsed.body);
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (status === 0) {
          status = 500;
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.write(`git http-backend failed (${code ?? -1}): ${stderr}`);
        }
        if (end) response.end();
        resolve(status);
      });
      request.pipe(child.stdin);
      child.stdin.on('error', () => undefined);
    });
  }
}

/** CGI output: header lines, a blank line, the body. `Status:` carries the HTTP status. */
function parseCgiHead(data: Buffer): { status: number; headers: Record<string, string>; body: Buffer } | undefined {
  const text = data.toString('latin1');
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of text.slice(0, match.index).split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers, body: data.subarray(match.index + match[0].length) };
}
