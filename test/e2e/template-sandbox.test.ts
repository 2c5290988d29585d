import { describe, expect, it } from 'vitest';
import { OWNER } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1 } from '../support/e2e/service-template.js';

const ISSUE_TITLE = 'Template drift: action required';
const world = useWorld();

/** Inline partials that each include the one before twice: 17 KB of template, 16 GB of output. */
function doubling(levels: number, leaf: string): string {
  let source = `{{#*inline "p0"}}${leaf}{{/inline}}`;
  for (let level = 1; level <= levels; level++) source += `{{#*inline "p${level}"}}{{> p${level - 1}}}{{> p${level - 1}}}{{/inline}}`;
  return `${source}{{> p${levels}}}`;
}

describe('a template cannot reach the app process, end to end', () => {
  it('a {{log}} in a release never reaches the app output: the release is a template error', async () => {
    const w = world();
    const { github } = w;
    const marker = `SECRET-MARKER-${Date.now()}`;
    await w.publishTemplate('tpl-log', TEMPLATE_V1);
    await w.createService('log-svc', 'tpl-log', { ref: 'v1.0.0', vars: { service_name: 'logsvc' } });

    await w.releaseTemplate('tpl-log', 'v1.1.0', { 'NOTES.md.hbs': `Release notes\n{{log "${marker}"}}\n{{log "${marker}" level="error"}}\n` }, 'adds notes');
    await w.settle();

    const [issue] = github.issues(OWNER, 'log-svc').filter((candidate) => candidate.title === ISSUE_TITLE);
    expect(issue?.body).toContain('NOTES.md.hbs: line 2: the log helper is disabled');
    expect(issue?.body).not.toContain(marker);
    expect(await github.pulls(OWNER, 'log-svc')).toEqual([]);
    expect(w.app.log).not.toContain(marker);
  });

  it('an exponential template ends as a user error in the issue, while the app answers /ping and stays under 1.5 GB', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-bomb', TEMPLATE_V1);
    await w.createService('bomb-svc', 'tpl-bomb', { ref: 'v1.0.0', vars: { service_name: 'bombsvc' } });

    const bomb = doubling(30, 'x'.repeat(16_000));
    expect(bomb.length).toBeLessThan(18_000);
    await w.releaseTemplate('tpl-bomb', 'v1.1.0', { 'bomb.txt.hbs': bomb }, 'sixteen gigabytes');
    const pings = await w.app.pingsDuring(() => w.settle());

    const [issue] = github.issues(OWNER, 'bomb-svc').filter((candidate) => candidate.title === ISSUE_TITLE);
    expect(issue?.body).toContain("bomb.txt.hbs: the template's output passed 100 MB, the render limit (TEMPLATE_DRIFT_MAX_RENDER_MB)");
    expect(await github.pulls(OWNER, 'bomb-svc')).toEqual([]);
    expect(pings.length).toBeGreaterThan(0);
    expect(new Set(pings)).toEqual(new Set([200]));
    expect((await fetch(`${w.app.url}/ping`)).status).toBe(200);
    expect(await w.app.peakMemory()).toBeLessThan(1.5 * 1024 ** 3);
  });
});
