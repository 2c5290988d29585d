import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALLATION, OWNER, type World } from '../support/e2e/fleet.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';
import { useWorld } from '../support/e2e/use-world.js';
import { runTemplateDrift } from '../support/run-cli.js';

const TOKEN = 'e2e-fleet-page-token-4f1c9a';
const TEMPLATE = 'fleet-template';
/** Screenshots the browser test leaves for a person to look at (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

type FleetJson = { templates: { template: string; latest: string; counts: Record<string, number>; repos: { repo: string; version: string; state: string; url: string | null }[] }[] };

const world = useWorld({ env: { TEMPLATE_DRIFT_DASHBOARD_TOKEN: TOKEN, TEMPLATE_DRIFT_DASHBOARD_ISSUE: 'true', TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S: '1', LOG_LEVEL: 'info' } });
let browser: Browser | undefined;

beforeAll(async () => {
  const w = world();
  await w.publishTemplate(TEMPLATE, TEMPLATE_V1);
  for (const name of ['fl-pay', 'fl-ord', 'fl-inv']) await w.createService(name, TEMPLATE, { ref: 'v1.0.0', vars: { service_name: name.replace('-', '_') } });
  await w.releaseTemplate(TEMPLATE, 'v1.1.0', TEMPLATE_V1_1, 'logging, CI cache, make test');
  await w.settle();
  // fl-ord's maintainers decline v1.1.0.
  const [pull] = await w.github.pulls(OWNER, 'fl-ord');
  await w.github.closePull(OWNER, 'fl-ord', pull!.number);
  await w.settle();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

async function fleetJson(w: World): Promise<FleetJson> {
  const response = await fetch(`${w.app.url}/template-drift/fleet.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as FleetJson;
}

function dashboard(w: World) {
  const [issue] = w.github.issues(OWNER, TEMPLATE).filter((candidate) => candidate.title === 'Template adoption');
  if (!issue) throw new Error('no Template adoption issue');
  return issue;
}

describe('the fleet views, end to end', () => {
  it('fleet.json has every service with its state, read from the local GitHub through the app', async () => {
    const report = await fleetJson(world());
    const template = report.templates.find((entry) => entry.template === `${OWNER}/${TEMPLATE}`);
    expect(template?.latest).toBe('v1.1.0');
    expect(Object.fromEntries(template!.repos.map((repo) => [repo.repo, repo.state]))).toEqual({
      'acme/fl-pay': 'update-open', 'acme/fl-inv': 'update-open', 'acme/fl-ord': 'declined',
    });
    expect(template!.repos.find((repo) => repo.repo === 'acme/fl-pay')?.url).toMatch(/\/acme\/fl-pay\/pull\/1$/);
  });

  it('the page, in Chromium: chart and counts as fleet.json says, a filter narrows the table, refused without the token', async () => {
    const w = world();
    const report = await fleetJson(w);
    const context = await browser!.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${w.app.url}/template-drift/fleet?token=${TOKEN}`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${w.app.url}/template-drift/fleet`);
    for (const template of report.templates) {
      const section = page.locator(`section[data-template="${template.template}"]`);
      const versions = new Map<string, number>();
      for (const repo of template.repos) versions.set(repo.version, (versions.get(repo.version) ?? 0) + 1);
      for (const [version, count] of versions) {
        expect(await section.locator(`g.bar[data-version="${version}"]`).getAttribute('data-count')).toBe(String(count));
        expect(await section.locator(`g.bar[data-version="${version}"] text`).last().textContent()).toBe(String(count));
      }
      expect(await section.locator('g.bar').count()).toBe(versions.size);
      for (const [state, count] of Object.entries(template.counts)) {
        expect(await section.locator(`li.count[data-state="${state}"] b`).textContent()).toBe(String(count));
      }
    }
    const rows = page.locator(`section[data-template="${OWNER}/${TEMPLATE}"] tbody tr`);
    expect(await rows.count()).toBe(3);
    await page.selectOption('select[name="state"]', 'declined');
    await Promise.all([page.waitForURL(/state=declined/), page.click('button[type="submit"]')]);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-repo')).toBe('acme/fl-ord');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}fleet-page.png`, fullPage: true });
    await context.close();

    const stranger = await browser!.newContext();
    const refused = await (await stranger.newPage()).goto(`${w.app.url}/template-drift/fleet`);
    expect(refused?.status()).toBe(401);
    expect(await refused?.text()).not.toContain('fl-pay');
    await stranger.close();
    // Probot logs each request's URL; the token never reaches a line of it.
    expect(w.app.log).toContain('/template-drift/fleet');
    expect(w.app.log).not.toContain(TOKEN);
  });

  it('the Template adoption issue: counts and rows most urgent first, kept up to date after a decline', () => {
    const issue = dashboard(world());
    expect(issue.state).toBe('open');
    expect(issue.body).toContain('**3 repositories**: 2 update-open, 1 declined.');
    const rows = [...issue.body.matchAll(/^\| ` (acme\/fl-\w+) ` \| ` (v[\d.]+) ` \| ([\w-]+) \|/gm)].map((match) => `${match[1]} ${match[2]} ${match[3]}`);
    expect(rows).toEqual(['acme/fl-inv v1.0.0 update-open', 'acme/fl-pay v1.0.0 update-open', 'acme/fl-ord v1.0.0 declined']);
  });

  it('ticking a repository\'s box re-runs its update; the box is unticked again; a reader\'s tick runs nothing', async () => {
    const w = world();
    const before = dashboard(w);
    const ticked = before.body.replace('- [ ] <!-- template-drift-rerun:acme/fl-ord -->', '- [x] <!-- template-drift-rerun:acme/fl-ord -->');
    expect(ticked).not.toBe(before.body);

    w.github.setPermission(OWNER, TEMPLATE, 'reader-person', 'read');
    await w.github.editIssue(OWNER, TEMPLATE, before.number, 'reader-person', ticked);
    await w.settle();
    expect((await w.github.pulls(OWNER, 'fl-ord')).filter((pull) => pull.state === 'open')).toEqual([]);
    expect(w.github.comments(OWNER, TEMPLATE, before.number).map((comment) => comment.body).join('\n')).toContain('@reader-person re-running updates needs write access');

    w.github.setPermission(OWNER, TEMPLATE, 'writer-person', 'write');
    await w.github.editIssue(OWNER, TEMPLATE, before.number, 'writer-person', dashboard(w).body.replace('- [ ] <!-- template-drift-rerun:acme/fl-ord -->', '- [x] <!-- template-drift-rerun:acme/fl-ord -->'));
    await w.settle();
    const open = (await w.github.pulls(OWNER, 'fl-ord')).filter((pull) => pull.state === 'open');
    expect(open).toHaveLength(1);
    const after = dashboard(w);
    expect(after.body).toContain('- [ ] <!-- template-drift-rerun:acme/fl-ord -->');
    expect(after.body).not.toMatch(/- \[x\]/i);
    expect(after.body).toContain('**3 repositories**: 3 update-open.');
  });
});

describe('template-drift scan, against the local GitHub', () => {
  const scan = async (args: string[]) => {
    const w = world();
    const cwd = await mkdtemp(join(w.scratch, 'scan-'));
    const token = w.github.readToken(INSTALLATION);
    const run = await runTemplateDrift(['scan', '--owner', OWNER, ...args], {
      cwd, cacheDir: join(cwd, 'cache'), token, serverUrl: w.github.url, apiUrl: w.github.apiUrl,
    });
    expect(run.stdout + run.stderr, 'the token is never echoed').not.toContain(token);
    return { ...run, cwd };
  };

  it('--json is fleet.json\'s report, and exits 1 while any repository is not in line', async () => {
    const run = await scan(['--json', '--template', `${OWNER}/${TEMPLATE}`]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as FleetJson;
    expect(report.templates.map((template) => template.template)).toEqual([`${OWNER}/${TEMPLATE}`]);
    expect(report.templates[0]!.repos.map((repo) => repo.repo).sort()).toEqual(['acme/fl-inv', 'acme/fl-ord', 'acme/fl-pay']);
    expect(report.templates[0]!.repos.every((repo) => repo.state === 'update-open')).toBe(true);
  });

  it('--csv has a row per repository; --html writes the page to a file', async () => {
    const csv = await scan(['--csv', '--template', `${OWNER}/${TEMPLATE}`]);
    expect(csv.code).toBe(1);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('template,latest,repo,version,state,url,commit,seen_at');
    expect(lines.filter((line) => line.startsWith(`${OWNER}/${TEMPLATE},v1.1.0,acme/fl-`))).toHaveLength(3);
    const html = await scan(['--html', 'fleet.html', '--template', `${OWNER}/${TEMPLATE}`]);
    expect(html.code).toBe(1);
    const page = await readFile(join(html.cwd, 'fleet.html'), 'utf8');
    expect(page).toContain('<g class="bar" data-version="v1.0.0" data-count="3">');
    expect(page).toContain('<tr data-repo="acme/fl-pay"');
  });

  it('exits 0 when every repository is in line, and 2 with one message on bad input', async () => {
    const w = world();
    await w.publishTemplate('fl-quiet-template', TEMPLATE_V1);
    await w.createService('fl-quiet', 'fl-quiet-template', { ref: 'v1.0.0', vars: { service_name: 'fl_quiet' } });
    const quiet = await scan(['--template', `${OWNER}/fl-quiet-template`]);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/acme\/fl-quiet +v1\.0\.0 +in-line/);
    expect(quiet.code).toBe(0);
    const bad = await scan(['--json', '--csv']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('template-drift: Give at most one of --json, --csv and --html.\n');
  });
});
