import { beforeAll, describe, expect, it } from 'vitest';
import { OWNER, type World } from '../support/e2e/fleet.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';
import { useWorld } from '../support/e2e/use-world.js';

const TOKEN = 'e2e-dashboard-behind-token-77a0c3';
const PUBLIC_URL = 'https://drift.example.com';
/** The whole body of four repositories takes some 960 characters: at this limit it must cut rows and link the page. */
const MAX_CHARS = 850;
const TEMPLATE = 'bh-template';
const BEHIND = ['bh-a', 'bh-b', 'bh-c'];
const ALL_BEHIND_BOX = '- [ ] <!-- template-drift-rerun-behind -->';

const world = useWorld({ env: {
  TEMPLATE_DRIFT_DASHBOARD_TOKEN: TOKEN, TEMPLATE_DRIFT_DASHBOARD_ISSUE: 'true', TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S: '1',
  TEMPLATE_DRIFT_PUBLIC_URL: PUBLIC_URL, TEMPLATE_DRIFT_DASHBOARD_MAX_CHARS: String(MAX_CHARS),
} });

beforeAll(async () => {
  const w = world();
  // v1.1.0 is tagged but never published: nothing tells the app, so three services stay behind, and one is made at v1.1.0.
  await w.publishTemplate(TEMPLATE, TEMPLATE_V1);
  await w.github.commit(OWNER, TEMPLATE, 'main', { ...TEMPLATE_V1_1 }, { message: 'Release v1.1.0' });
  await w.github.tag(OWNER, TEMPLATE, 'v1.1.0');
  for (const name of BEHIND) await w.createService(name, TEMPLATE, { ref: 'v1.0.0', vars: { service_name: name.replace('-', '_') } });
  await w.createService('bh-d', TEMPLATE, { ref: 'v1.1.0', vars: { service_name: 'bh_d' } });
  // Another template's release makes the app scan the installation and write every template's issue.
  await w.publishTemplate('bh-other-template', TEMPLATE_V1);
  await w.createService('bh-other', 'bh-other-template', { ref: 'v1.0.0', vars: { service_name: 'bh_other' } });
  await w.releaseTemplate('bh-other-template', 'v1.1.0', TEMPLATE_V1_1, 'logging, CI cache, make test');
  await w.settle();
}, 180_000);

function dashboard(w: World) {
  const [issue] = w.github.issues(OWNER, TEMPLATE).filter((candidate) => candidate.title === 'Template adoption');
  if (!issue) throw new Error('no Template adoption issue');
  return issue;
}

const openPulls = async (w: World, service: string) => (await w.github.pulls(OWNER, service)).filter((pull) => pull.state === 'open');

describe('the Template adoption issue past its size limit, and "re-run all behind", end to end', () => {
  it('past the limit (TEMPLATE_DRIFT_DASHBOARD_MAX_CHARS) the body keeps the counts, the most urgent rows and a link to the page, never its token', () => {
    const { body } = dashboard(world());
    expect(body.length).toBeLessThanOrEqual(MAX_CHARS);
    expect(body).toContain('**4 repositories**: 3 behind, 1 in-line.');
    const rows = [...body.matchAll(/^\| ` (acme\/bh-\w+) ` \| ` (v[\d.]+) ` \| ([\w-]+) \|/gm)].map((match) => `${match[1]} ${match[3]}`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(4);
    // The rows kept are the most urgent: behind before in line.
    expect(rows).toEqual(['acme/bh-a behind', 'acme/bh-b behind', 'acme/bh-c behind'].slice(0, rows.length));
    expect(body).toMatch(new RegExp(`${4 - rows.length} more repositor(y is|ies are) left out`));
    expect(body).toContain(`All of them: ${PUBLIC_URL}/template-drift/fleet?template=acme%2Fbh-template`);
    expect(body).not.toContain(TOKEN);
    expect(body).toContain(`${ALL_BEHIND_BOX} Re-run all behind (3)`);
  });

  it('ticking "re-run all behind" gives every behind repository its update PR, those cut from the body too; a reader\'s tick runs nothing', async () => {
    const w = world();
    const issue = dashboard(w);
    const tick = (body: string) => body.replace(ALL_BEHIND_BOX, '- [x] <!-- template-drift-rerun-behind -->');

    w.github.setPermission(OWNER, TEMPLATE, 'bh-reader', 'read');
    await w.github.editIssue(OWNER, TEMPLATE, issue.number, 'bh-reader', tick(issue.body));
    await w.settle();
    for (const name of BEHIND) expect(await openPulls(w, name), name).toEqual([]);
    expect(w.github.comments(OWNER, TEMPLATE, issue.number).map((comment) => comment.body).join('\n')).toContain('@bh-reader re-running updates needs write access');

    w.github.setPermission(OWNER, TEMPLATE, 'bh-writer', 'write');
    await w.github.editIssue(OWNER, TEMPLATE, issue.number, 'bh-writer', tick(dashboard(w).body));
    await w.settle();
    for (const name of BEHIND) expect(await openPulls(w, name), name).toMatchObject([{ title: `Update ${TEMPLATE} to v1.1.0` }]);
    expect(await openPulls(w, 'bh-d'), 'in line: nothing to re-run').toEqual([]);
    const after = dashboard(w).body;
    expect(after).toContain('**4 repositories**: 3 update-open, 1 in-line.');
    expect(after).toContain(`${ALL_BEHIND_BOX} Re-run all behind (0)`);
    expect(after).not.toMatch(/- \[x\]/i);
  });

  it('kept up to date after a merge and an error: the merged repository in line, the one whose update failed action-required and first', async () => {
    const w = world();
    const [merged] = await openPulls(w, 'bh-a');
    await w.github.mergePull(OWNER, 'bh-a', merged!.number);
    // A person breaks bh-b's answers file: its update fails, and the app opens its "action required" issue.
    await w.github.commit(OWNER, 'bh-b', 'main', { '.github/template-drift.yml': 'template: acme/bh-template\nversion: v1.0.0\nvariables: [unclosed\n' }, { message: 'a bad edit', deliver: true });
    await w.settle();

    const { body } = dashboard(w);
    expect(body).toContain('**4 repositories**: 1 action-required, 1 update-open, 2 in-line.');
    const [first] = [...body.matchAll(/^\| ` (acme\/bh-\w+) ` \| ` v[\d.]+ ` \| ([\w-]+) \| (.*) \|$/gm)];
    expect(first?.slice(1, 3)).toEqual(['acme/bh-b', 'action-required']);
    expect(first?.[3]).toMatch(/^\[#\d+\]\(http:\/\/127\.0\.0\.1:\d+\/acme\/bh-b\/issues\/\d+\)$/);
    expect(body.length).toBeLessThanOrEqual(MAX_CHARS);
  });
});
