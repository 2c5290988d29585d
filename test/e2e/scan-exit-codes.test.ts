import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INSTALLATION, OWNER } from '../support/e2e/fleet.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';
import { useWorld } from '../support/e2e/use-world.js';
import { runTemplateDrift } from '../support/run-cli.js';

const world = useWorld();
const ANSWERS = '.github/template-drift.yml';

beforeAll(async () => {
  const w = world();
  // sc-quiet-template: one service, in line.
  await w.publishTemplate('sc-quiet-template', TEMPLATE_V1);
  await w.createService('sc-quiet', 'sc-quiet-template', { ref: 'v1.0.0', vars: { service_name: 'sc_quiet' } });
  // sc-template: v1.1.0 tagged with no release event, one service behind it and one whose answers file no longer parses.
  await w.publishTemplate('sc-template', TEMPLATE_V1);
  await w.github.commit(OWNER, 'sc-template', 'main', { ...TEMPLATE_V1_1 }, { message: 'Release v1.1.0' });
  await w.github.tag(OWNER, 'sc-template', 'v1.1.0');
  await w.createService('sc-behind', 'sc-template', { ref: 'v1.0.0', vars: { service_name: 'sc_behind' } });
  await w.createService('sc-broken', 'sc-template', { ref: 'v1.0.0', vars: { service_name: 'sc_broken' } });
  await w.github.commit(OWNER, 'sc-broken', 'main', { [ANSWERS]: 'template: acme/sc-template\nversion: v1.0.0\nvariables: [unclosed\n' }, { message: 'a bad edit' });
}, 120_000);

/** `template-drift scan --owner acme ARGS` with the installation's read token, as a CI job runs it. */
async function scan(args: string[], options: { token?: string } = {}) {
  const w = world();
  const cwd = await mkdtemp(join(w.scratch, 'scan-'));
  const token = options.token ?? w.github.readToken(INSTALLATION);
  const run = await runTemplateDrift(['scan', ...args], { cwd, cacheDir: join(cwd, 'cache'), token, serverUrl: w.github.url, apiUrl: w.github.apiUrl });
  expect(run.stdout + run.stderr, 'the token is never echoed').not.toContain(token);
  expect(run.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
  return { ...run, cwd };
}

describe('template-drift scan: exit codes and output, against the local GitHub', () => {
  it('0 when every repository of the template is in line; --template takes owner/repo in any letter case and shows only its repositories', async () => {
    const run = await scan(['--owner', OWNER, '--template', 'ACME/SC-Quiet-Template']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^acme\/sc-quiet-template \(latest v1\.0\.0\): 1 in-line$/m);
    expect(run.stdout).toMatch(/acme\/sc-quiet +v1\.0\.0 +in-line/);
    expect(run.stdout).not.toContain('sc-behind');
    expect(run.code).toBe(0);
  });

  it('1 when any is not in line: behind, or an answers file that no longer parses (action-required, with its problem in --json)', async () => {
    const run = await scan(['--owner', OWNER, '--json']);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as { templates: { template: string; latest: string | null; counts: Record<string, number>; repos: { repo: string; version: string; state: string }[] }[] };
    expect(report.templates.map((template) => template.template)).toEqual(['acme/sc-quiet-template', 'acme/sc-template']);
    const template = report.templates[1]!;
    expect(template.latest).toBe('v1.1.0');
    expect(template.counts).toMatchObject({ 'action-required': 1, behind: 1 });
    expect(template.repos.map((repo) => [repo.repo, repo.version, repo.state])).toEqual([['acme/sc-broken', 'v1.0.0', 'action-required'], ['acme/sc-behind', 'v1.0.0', 'behind']]);
    expect(run.code).toBe(1);
  });

  it('--csv: the header and one row per repository of the template; --html FILE: the page, with its chart and rows, and a summary line', async () => {
    const csv = await scan(['--owner', OWNER, '--csv', '--template', 'acme/sc-template']);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('template,latest,repo,version,state,url,commit,seen_at');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 5).join(','))).toEqual([
      'acme/sc-template,v1.1.0,acme/sc-broken,v1.0.0,action-required', 'acme/sc-template,v1.1.0,acme/sc-behind,v1.0.0,behind',
    ]);
    expect(csv.code).toBe(1);
    const html = await scan(['--owner', OWNER, '--html', 'out/../fleet.html', '--template', 'acme/sc-template']);
    expect(html.stdout).toBe(`Wrote the fleet page of acme to ${join(html.cwd, 'fleet.html')}: 2 repositories, 2 not in line.\n`);
    const page = await readFile(join(html.cwd, 'fleet.html'), 'utf8');
    expect(page).toContain('<g class="bar" data-version="v1.0.0" data-count="2">');
    expect(page.match(/<tr data-repo="[^"]+"/g)).toEqual(['<tr data-repo="acme/sc-broken"', '<tr data-repo="acme/sc-behind"']);
    expect(page).not.toContain('sc-quiet');
    expect(html.code).toBe(1);
  });

  it('2 when GitHub will not answer for a repository: it is named on stderr, the others are still reported', async () => {
    world().github.failNext('GET', `/repos/${OWNER}/sc-behind/contents/{path}`, { status: 403, message: 'Resource not accessible by personal access token' });
    const run = await scan(['--owner', OWNER]);
    // GitHub's own words, with the link to its docs that Octokit adds; one line, no stack.
    expect(run.stderr).toMatch(/^template-drift: could not read acme\/sc-behind: Resource not accessible by personal access token( - https:\/\/docs\.github\.com\/\S*)?\n$/);
    expect(run.stdout).toMatch(/acme\/sc-quiet +v1\.0\.0 +in-line/);
    expect(run.stdout).toMatch(/acme\/sc-broken +v1\.0\.0 +action-required/);
    expect(run.code).toBe(2);
  });

  it("a secondary rate limit and a 502 are waited out (Octokit's throttling and retry plugins): the scan ends as if neither happened", async () => {
    const { github } = world();
    const [lists, reads] = [github.requestCount('GET', `/orgs/${OWNER}/repos`), github.requestCount('GET', `/repos/${OWNER}/sc-quiet/contents/{path}`)];
    github.failNext('GET', `/orgs/${OWNER}/repos`, { status: 403, retryAfter: 1, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' });
    github.failNext('GET', `/repos/${OWNER}/sc-quiet/contents/{path}`, { status: 502 });
    const run = await scan(['--owner', OWNER, '--template', 'acme/sc-quiet-template']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/acme\/sc-quiet +v1\.0\.0 +in-line/);
    expect(run.code).toBe(0);
    // Each failed once and was sent again.
    expect(github.requestCount('GET', `/orgs/${OWNER}/repos`) - lists).toBe(2);
    expect(github.requestCount('GET', `/repos/${OWNER}/sc-quiet/contents/{path}`) - reads).toBe(2);
  });

  it('2 with one message when GitHub refuses the token, also as JSON with --json', async () => {
    const run = await scan(['--owner', OWNER, '--json'], { token: 'ghs_not-a-token-GitHub-ever-gave' });
    expect(run.stderr).toBe('template-drift: GitHub refused GITHUB_TOKEN (401 Bad credentials): give a token that can read the repositories of acme.\n');
    expect(JSON.parse(run.stdout)).toEqual({ error: { message: 'GitHub refused GITHUB_TOKEN (401 Bad credentials): give a token that can read the repositories of acme.' } });
    expect(run.code).toBe(2);
  });

  it('2 with one message for an account GitHub does not know, and for an --owner or --template that is no name', async () => {
    const unknown = await scan(['--owner', 'no-such-org']);
    expect(unknown.stderr).toBe('template-drift: GitHub knows no organisation or user no-such-org (404), or GITHUB_TOKEN cannot see it.\n');
    expect(unknown.stdout).toBe('');
    expect(unknown.code).toBe(2);
    const badOwner = await scan(['--owner', '-rf']);
    expect(badOwner.code).toBe(2);
    expect(badOwner.stderr).toMatch(/^(template-drift: --owner -rf is not a GitHub account name\.|error: option '--owner <org>' argument missing)/);
    const badTemplate = await scan(['--owner', OWNER, '--template', 'just-a-name']);
    expect(badTemplate.stderr).toBe('template-drift: --template just-a-name is not owner/repo.\n');
    expect(badTemplate.code).toBe(2);
  });
});
