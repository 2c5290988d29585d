import { describe, expect, it } from 'vitest';
import { versionCounts } from '../../src/engine/fleet-chart.js';
import { dashboardBody, GITHUB_BODY_LIMIT, isDashboard, newTicks } from '../../src/engine/fleet-dashboard.js';
import type { FleetEntry } from '../../src/engine/fleet-inventory.js';
import { fleetPage } from '../../src/engine/fleet-page.js';
import { fleetCsv, fleetReport, outOfLine } from '../../src/engine/fleet-report.js';

const seenAt = '2026-12-01T12:00:00Z';
const entry = (repo: string, state: FleetEntry['state'], version = 'v1.0.0', extra: Partial<FleetEntry> = {}): FleetEntry =>
  ({ repo, template: 'acme/service-template', version, latest: 'v1.1.0', state, seenAt, ...extra });

const entries: FleetEntry[] = [
  entry('acme/payments', 'update-open', 'v1.0.0', { url: 'https://github.com/acme/payments/pull/3', commit: 'a'.repeat(40) }),
  entry('acme/orders', 'conflicts', 'v1.0.0', { url: 'https://github.com/acme/orders/pull/1' }),
  entry('acme/inventory', 'in-line', 'v1.1.0'),
  entry('beta/search', 'behind', 'v0.9.0'),
  { repo: 'acme/other', template: 'acme/go-template', version: 'main', state: 'action-required', seenAt, url: 'https://github.com/acme/other/issues/2' },
];

describe('fleet.json', () => {
  it('has the issue\'s shape: templates with latest, counts per state and repos most urgent first', () => {
    const report = fleetReport(entries);
    expect(report.templates.map((t) => t.template)).toEqual(['acme/go-template', 'acme/service-template']);
    const service = report.templates[1]!;
    expect(service.latest).toBe('v1.1.0');
    expect(service.counts).toMatchObject({ conflicts: 1, behind: 1, 'update-open': 1, 'in-line': 1, 'action-required': 0 });
    expect(service.repos[0]).toEqual({ repo: 'acme/orders', version: 'v1.0.0', state: 'conflicts', url: 'https://github.com/acme/orders/pull/1', commit: null, seenAt });
    expect(report.templates[0]!.latest).toBeNull();
    expect(outOfLine(report)).toBe(4);
  });
});

describe('the CSV', () => {
  it('quotes cells with commas and quotes, and defuses cells a spreadsheet would run as formulas', () => {
    const csv = fleetCsv(fleetReport([entry('acme/x', 'behind', '=HYPERLINK("http://evil")'), entry('acme/y', 'behind', 'v1,2')]));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('template,latest,repo,version,state,url,commit,seen_at');
    expect(lines).toContain(`acme/service-template,v1.1.0,acme/x,"'=HYPERLINK(""http://evil"")",behind,,,${seenAt}`);
    expect(lines).toContain(`acme/service-template,v1.1.0,acme/y,"v1,2",behind,,,${seenAt}`);
  });
});

describe('the fleet page', () => {
  const page = (filters = {}) => fleetPage(fleetReport(entries), filters, { action: '/template-drift/fleet', generatedAt: seenAt });

  it('shows per template a bar per version, the counts, and a row per repository linking its PR', () => {
    const html = page();
    expect(html).toContain('<g class="bar" data-version="v1.0.0" data-count="2">');
    expect(html).toContain('<g class="bar" data-version="v1.1.0" data-count="1">');
    expect(html).toContain('data-state="conflicts" data-count="1"');
    expect(html).toContain('<a href="https://github.com/acme/payments/pull/3">#3</a>');
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes every string that comes from a repository, and links only http(s) URLs', () => {
    const html = fleetPage(fleetReport([
      entry('acme/<img src=x onerror=alert(1)>', 'behind', '"><script>alert(1)</script>', { url: 'javascript:alert(1)' }),
    ]), {}, { action: '/template-drift/fleet', generatedAt: seenAt });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('acme/&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('javascript:');
  });

  it('narrows the table by state, owner and template, leaving the chart and counts whole', () => {
    const byState = page({ state: 'conflicts' });
    expect(byState.match(/<tr data-repo=/g)).toHaveLength(1);
    expect(byState).toContain('data-version="v1.0.0" data-count="2"');
    expect(byState).toContain('data-state="in-line" data-count="1"');
    expect(page({ owner: 'BETA' }).match(/<tr data-repo="([^"]+)"/g)).toEqual(['<tr data-repo="beta/search"']);
    const one = page({ template: 'acme/go-template' });
    expect(one).toContain('data-template="acme/go-template"');
    expect(one).not.toContain('data-template="acme/service-template"');
    expect(one).toContain('<option value="acme/go-template" selected>');
  });

  it('orders the chart\'s versions newest first, refs that are no version after', () => {
    const report = fleetReport([entry('a/a', 'behind', 'v1.10.0'), entry('a/b', 'behind', 'main'), entry('a/c', 'behind', 'v1.9.0')]);
    expect(versionCounts(report.templates[0]!).map((bar) => bar.version)).toEqual(['v1.10.0', 'v1.9.0', 'main']);
  });
});

describe('the dashboard issue', () => {
  const service = () => fleetReport(entries).templates[1]!;

  it('shows counts, a table most urgent first, and an unticked box per repository', () => {
    const body = dashboardBody(service());
    expect(isDashboard(body)).toBe(true);
    expect(body).toContain('**4 repositories**: 1 conflicts, 1 behind, 1 update-open, 1 in-line.');
    const rows = [...body.matchAll(/^\| ` (\S+) ` \|/gm)].map((match) => match[1]);
    expect(rows).toEqual(['acme/orders', 'beta/search', 'acme/payments', 'acme/inventory']);
    expect(body).toContain('| ` acme/payments ` | ` v1.0.0 ` | update-open | [#3](https://github.com/acme/payments/pull/3) |');
    expect(body).toContain('- [ ] <!-- template-drift-rerun:acme/orders --> ` acme/orders `');
    expect(body).toContain('- [ ] <!-- template-drift-rerun-behind --> Re-run all behind (1)');
  });

  it('stays under the size limit: counts, the most urgent rows, and a link to the page', () => {
    const many = Array.from({ length: 2000 }, (_, i) => entry(`acme/service-${String(i).padStart(4, '0')}`, i < 5 ? 'conflicts' : 'behind'));
    const template = fleetReport(many).templates[0]!;
    const body = dashboardBody(template, { pageUrl: 'https://drift.example.com/template-drift/fleet?template=acme%2Fservice-template' });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body).toContain('**2000 repositories**: 5 conflicts, 1995 behind.');
    expect(body).toContain('| ` acme/service-0000 ` | ` v1.0.0 ` | conflicts |');
    expect(body).toMatch(/\d+ more repositories are left out/);
    expect(body).toContain('All of them: https://drift.example.com/template-drift/fleet?template=acme%2Fservice-template');
    const small = dashboardBody(template, { maxChars: 2000 });
    expect(small.length).toBeLessThanOrEqual(2000);
    expect(small).toContain('acme/service-0000');
  });

  it('with GitHub\'s own limit and a large fleet of long names and links: under 65,536 characters, the counts, every kept row more urgent than every cut one, a box per kept row, the link', () => {
    const long = (i: number) => `acme/platform-service-with-a-long-descriptive-name-${String(i).padStart(4, '0')}`;
    const stateOf = (i: number): FleetEntry['state'] => (i % 50 === 0 ? 'action-required' : i % 30 === 1 ? 'conflicts' : i % 3 === 0 ? 'behind' : i % 3 === 1 ? 'update-open' : 'in-line');
    const many = Array.from({ length: 3000 }, (_, i) => entry(long(i), stateOf(i), 'v1.0.0', stateOf(i) === 'behind' || stateOf(i) === 'in-line' ? {} : { url: `https://github.com/${long(i)}/${stateOf(i) === 'action-required' ? 'issues' : 'pull'}/${1000 + i}` }));
    const template = fleetReport(many).templates[0]!;
    const pageUrl = 'https://drift.example.com/template-drift/fleet?template=acme%2Fservice-template';
    const body = dashboardBody(template, { pageUrl });

    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    // As many rows as fit: what is left unused is less than one more row and its box would take.
    expect(body.length).toBeGreaterThan(GITHUB_BODY_LIMIT - 600);
    const c = template.counts;
    expect(body).toContain(`**3000 repositories**: ${c['action-required']} action-required, ${c.conflicts} conflicts, ${c.behind} behind, ${c['update-open']} update-open, ${c['in-line']} in-line.`);
    const rows = [...body.matchAll(/^\| ` (\S+) ` \| ` v1\.0\.0 ` \| ([\w-]+) \|/gm)].map((match) => `${match[1]} ${match[2]}`);
    expect(rows.length).toBeGreaterThan(c['action-required'] + c.conflicts);
    expect(rows).toEqual(template.repos.slice(0, rows.length).map((repo) => `${repo.repo} ${repo.state}`));
    const boxes = [...body.matchAll(/^- \[ \] <!-- template-drift-rerun:(\S+) -->/gm)].map((match) => match[1]);
    expect(boxes).toEqual(rows.map((row) => row.split(' ')[0]));
    expect(body).toContain(`${3000 - rows.length} more repositories are left out`);
    expect(body).toContain(`All of them: ${pageUrl}`);
    expect(body).toContain(`Re-run all behind (${c.behind})`);
    // Without the app's public URL, the way to see them all is the CLI.
    expect(dashboardBody(template)).toContain('All of them: `template-drift scan --html`');
  });

  it('keeps names out of Markdown: no mention, link or table break from a version string', () => {
    const body = dashboardBody(fleetReport([entry('acme/x', 'behind', '@acme/admins | [x](https://evil)')]).templates[0]!);
    expect(body).toContain('| ` acme/x ` | ` @acme/admins \\| [x](https://evil) ` | behind |');
  });

  it('reads what one edit ticked: new boxes only, any case of x, names as written', () => {
    const before = dashboardBody(service());
    const after = before.replace('- [ ] <!-- template-drift-rerun:acme/orders -->', '- [x] <!-- template-drift-rerun:acme/orders -->');
    expect(newTicks(before, after)).toEqual({ repos: ['acme/orders'], allBehind: false });
    const both = after.replace('- [ ] <!-- template-drift-rerun-behind -->', '- [X] <!-- template-drift-rerun-behind -->');
    expect(newTicks(after, both)).toEqual({ repos: [], allBehind: true });
    expect(newTicks(both, both)).toEqual({ repos: [], allBehind: false });
  });
});
