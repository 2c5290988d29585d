import type nock from 'nock';
import { TemplateDriftOctokit } from '../../src/app/octokit.js';
import { formatMarker } from '../../src/engine/update-marker.js';
import { OctokitPlatform } from '../../src/github/octokit-platform.js';
import { contentJson, contentsPath, pullJson, repoJson } from './github-nock.js';
import type { ServiceFixture } from './service-fleet.js';
import { git } from './temp-repo.js';

/** nock sequences for the fleet scan's reads of GitHub (src/workflows/scan-fleet.ts), one repository at a time. */

export const ANSWERS = '.github/template-drift.yml';
export const ISSUES = { state: 'all', labels: 'template-drift', per_page: '100' };
export const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/** The Platform over the app's Octokit, retries and throttling off. */
export function platform(): OctokitPlatform {
  const octokit = new TemplateDriftOctokit({ auth: { token: 'ghs_test' }, retry: { enabled: false }, throttle: { enabled: false } });
  return new OctokitPlatform({ octokit, createToken: () => Promise.resolve({ token: 'ghs_test', expiresAt: new Date(Date.now() + 3_600_000) }), serializeWrite: (write) => write() });
}

/** GET /installation/repositories listing these repositories. */
export function mockRepositories(api: nock.Scope, names: string[], archived: string[] = []): void {
  const repositories = names.map((name) => ({ ...repoJson('acme', name, `file:///nonexistent/${name}.git`), archived: archived.includes(name) }));
  api.get('/installation/repositories').query(true).reply(200, { total_count: repositories.length, repositories });
}

export const CRUFT = '.cruft.json';

/** The answers file's reads: the native one, then cruft's when there is no native one; `text` is in `file`, or in neither. */
export function mockAnswersText(api: nock.Scope, name: string, text: string | undefined, file: typeof ANSWERS | typeof CRUFT = ANSWERS): void {
  for (const path of [ANSWERS, CRUFT]) {
    if (text !== undefined && path === file) {
      api.get(contentsPath('acme', name, path)).reply(200, contentJson(path, text));
      return;
    }
    api.get(contentsPath('acme', name, path)).reply(404, { message: 'Not Found' });
  }
}

interface RepoState {
  readonly issue?: 'open' | 'closed';
  readonly openPulls?: Parameters<typeof pullJson>[0][];
  /** Closed PRs, asked for only when the repository is behind. */
  readonly closedPulls?: Parameters<typeof pullJson>[0][];
  /** Which file holds the answers (the native one by default). */
  readonly file?: typeof ANSWERS | typeof CRUFT;
  /** The service whose real git tree the trees API answers with (asked for only when on its target). */
  readonly tree?: ServiceFixture;
}

/** The reads of one repository: its answers, the action-required issue, the open PR, then closed PRs or the tree. */
export async function mockRepo(api: nock.Scope, name: string, answers: string, state: RepoState): Promise<void> {
  mockAnswersText(api, name, answers, state.file);
  api.get(`/repos/acme/${name}/issues`).query(ISSUES).reply(200, state.issue ? [{
    number: 3, title: 'Template drift: action required', state: state.issue, body: 'the problem',
    html_url: `https://github.com/acme/${name}/issues/3`, labels: [{ name: 'template-drift' }],
  }] : []);
  api.get(`/repos/acme/${name}/pulls`).query({ state: 'open', head: `acme:template-drift/update`, per_page: '100' }).reply(200, (state.openPulls ?? []).map(pullJson));
  if (state.closedPulls) {
    api.get(`/repos/acme/${name}/pulls`).query({ state: 'closed', head: `acme:template-drift/update`, per_page: '100' }).reply(200, state.closedPulls.map(pullJson));
  }
  if (state.tree) {
    api.get(`/repos/acme/${name}/git/trees/main`).query({ recursive: '1' }).reply(200, await treeJson(state.tree));
  }
}

/** The trees API's recursive answer, from the service's real git tree. */
async function treeJson(service: ServiceFixture): Promise<Record<string, unknown>> {
  const listing = await git(service.bare.dir, 'ls-tree', '-r', '-t', '-z', 'main');
  const tree = listing.split('\0').filter(Boolean).map((record) => {
    const [meta = '', path = ''] = record.split('\t');
    const [mode = '', type = '', sha = ''] = meta.split(' ');
    return { path, mode, type, sha };
  });
  return { sha: (await git(service.bare.dir, 'rev-parse', 'main^{tree}')).trim(), truncated: false, tree };
}

export const marker = (to: string) => `The update.\n\n${formatMarker({ template: 'acme/service-template', from: 'v1.0.0', to })}`;

