import { describe, expect, it } from 'vitest';
import { OWNER } from '../support/e2e/fleet.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';
import { useWorld } from '../support/e2e/use-world.js';

const TOKEN = 'e2e-fleet-release-reads-token-5b2e';
const world = useWorld({ env: { TEMPLATE_DRIFT_DASHBOARD_ISSUE: 'true', TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S: '1', TEMPLATE_DRIFT_DASHBOARD_TOKEN: TOKEN } });
const TEMPLATE = 'fr-template';
const BEHIND = ['fr-a', 'fr-b', 'fr-c', 'fr-d'];
const IN_LINE = 'fr-e';
/** Every read of the installation (the fan-out's, a scan's) starts by listing its repositories. */
const LISTINGS = '/installation/repositories';
const answersReads = (w: ReturnType<typeof world>, repo: string) => w.github.requestCount('GET', `/repos/${OWNER}/${repo}/contents/.github%2Ftemplate-drift.yml`);

describe('a release and the fleet inventory share what the fan-out read', () => {
  it('a fan-out of N repositories reads each answers file once, and the Template adoption issue is right after it without a scan', { timeout: 120_000 }, async () => {
    const w = world();
    await w.publishTemplate(TEMPLATE, TEMPLATE_V1);
    await w.github.commit(OWNER, TEMPLATE, 'main', { ...TEMPLATE_V1_1 }, { message: 'Release v1.1.0' });
    await w.github.tag(OWNER, TEMPLATE, 'v1.1.0');
    for (const name of BEHIND) await w.createService(name, TEMPLATE, { ref: 'v1.0.0', vars: { service_name: name.replace('-', '_') } });
    await w.createService(IN_LINE, TEMPLATE, { ref: 'v1.1.0', vars: { service_name: 'fr_e' } });
    // The app has read the installation once already (the fleet page shows every repository), as a running app has.
    const page = await fetch(`${w.app.url}/template-drift/fleet.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const report = (await page.json()) as { templates: { counts: Record<string, number> }[] };
    expect(report.templates[0]?.counts).toMatchObject({ behind: 4, 'in-line': 1 });

    const listings = w.github.requestCount('GET', LISTINGS);
    const reads = new Map([...BEHIND, IN_LINE].map((name) => [name, answersReads(w, name)]));
    const trees = w.github.requestCount('GET', `/repos/${OWNER}/${IN_LINE}/git/trees/main`);
    await w.github.publishRelease(OWNER, TEMPLATE, 'v1.1.0', { body: 'logging, CI cache, make test' });
    await w.settle();

    for (const name of BEHIND) expect(await w.github.pulls(OWNER, name), name).toMatchObject([{ state: 'open', title: `Update ${TEMPLATE} to v1.1.0` }]);
    for (const [name, before] of reads) expect(answersReads(w, name) - before, `${name}: the fan-out's read, and no other`).toBe(1);
    expect(w.github.requestCount('GET', LISTINGS) - listings, 'the fan-out\'s listing alone').toBe(1);
    expect(w.github.requestCount('GET', `/repos/${OWNER}/${IN_LINE}/git/trees/main`) - trees, 'in line: its tree is not read again').toBe(0);
    const [issue] = w.github.issues(OWNER, TEMPLATE).filter((candidate) => candidate.title === 'Template adoption');
    expect(issue?.body).toContain('**5 repositories**: 4 update-open, 1 in-line.');
    const rows = [...(issue?.body ?? '').matchAll(/^\| ` (acme\/fr-\w+) ` \| ` (v[\d.]+) ` \| ([\w-]+) \|/gm)].map((match) => `${match[1]} ${match[2]} ${match[3]}`);
    expect(rows).toEqual([...BEHIND.map((name) => `acme/${name} v1.0.0 update-open`), `acme/${IN_LINE} v1.1.0 in-line`]);
  });
});
