import nock from 'nock';
import { API, INSTALLATION_ID } from './app-harness.js';

/** The token GitHub hands the installation; tests assert it never leaks. */
export const INSTALLATION_TOKEN = 'ghs_testInstallationToken0123456789';

export function github(): nock.Scope {
  return nock(API);
}

/** Installation tokens: Probot's own and the app's per-repository ones (any number of each). */
export function mockTokens(scope: nock.Scope): nock.Scope {
  return scope
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: INSTALLATION_TOKEN, expires_at: '2099-01-01T00:00:00Z', permissions: { contents: 'write' }, repository_selection: 'selected' })
    .persist();
}

export function repoJson(owner: string, name: string, cloneUrl: string) {
  return {
    id: Math.abs(hash(`${owner}/${name}`)),
    node_id: 'R_test',
    name,
    full_name: `${owner}/${name}`,
    private: true,
    owner: { login: owner, id: 1, type: 'Organization' },
    html_url: `https://github.com/${owner}/${name}`,
    clone_url: cloneUrl,
    default_branch: 'main',
    archived: false,
  };
}

export function contentJson(path: string, text: string) {
  return {
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(text),
    name: path.split('/').pop(),
    path,
    sha: '0'.repeat(40),
    content: Buffer.from(text).toString('base64'),
  };
}

export interface PullJsonInput {
  readonly number: number;
  readonly owner: string;
  readonly repo: string;
  readonly title?: string;
  readonly body?: string;
  readonly state?: 'open' | 'closed';
  readonly merged?: boolean;
  readonly draft?: boolean;
  readonly labels?: string[];
  readonly headSha?: string;
}

export function pullJson(input: PullJsonInput) {
  return {
    number: input.number,
    state: input.state ?? 'open',
    title: input.title ?? 'Update service-template to v1.1.0',
    body: input.body ?? '',
    draft: input.draft ?? false,
    merged_at: input.merged ? '2026-01-01T00:00:00Z' : null,
    html_url: `https://github.com/${input.owner}/${input.repo}/pull/${input.number}`,
    head: { ref: 'template-drift/update', sha: input.headSha ?? 'a'.repeat(40), repo: { full_name: `${input.owner}/${input.repo}` } },
    base: { ref: 'main' },
    labels: (input.labels ?? []).map((name) => ({ name })),
  };
}

/** Matches the contents API for a path, whether or not the client escaped its slashes; at `ref` only when given. */
export function contentsPath(owner: string, repo: string, path: string, ref?: string): RegExp {
  const escaped = path.split('/').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(?:/|%2F)');
  return new RegExp(`^/repos/${owner}/${repo}/contents/${escaped}${ref === undefined ? '(\\?.*)?' : `\\?ref=${ref}`}$`);
}

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) | 0;
  return h;
}
