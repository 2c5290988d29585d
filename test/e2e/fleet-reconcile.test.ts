import { describe, expect, it } from 'vitest';
import { OWNER } from '../support/e2e/fleet.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';
import { useWorld } from '../support/e2e/use-world.js';

const world = useWorld({ env: { TEMPLATE_DRIFT_DASHBOARD_ISSUE: 'true', TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S: '1' } });
/** Every scan of the installation starts by listing its repositories; nothing else here lists them. */
const LISTINGS = '/installation/repositories';

describe('the reconcile scan is the fleet inventory too', () => {
  it('a start-up reconcile reads the installation once: its updates and the Template adoption issue use that scan', { timeout: 120_000 }, async () => {
    const w = world();
    // v1.1.0 tagged while nobody told the app: both services are behind when it starts again.
    await w.publishTemplate('rc-template', TEMPLATE_V1);
    await w.github.commit(OWNER, 'rc-template', 'main', { ...TEMPLATE_V1_1 }, { message: 'Release v1.1.0' });
    await w.github.tag(OWNER, 'rc-template', 'v1.1.0');
    for (const name of ['rc-pay', 'rc-ord']) await w.createService(name, 'rc-template', { ref: 'v1.0.0', vars: { service_name: name.replace('-', '_') } });

    const before = w.github.requestCount('GET', LISTINGS);
    await w.restartApp({ TEMPLATE_DRIFT_RECONCILE_HOURS: '6' });
    await w.settle();

    for (const name of ['rc-pay', 'rc-ord']) expect(await w.github.pulls(OWNER, name), name).toMatchObject([{ state: 'open', title: 'Update rc-template to v1.1.0' }]);
    const [issue] = w.github.issues(OWNER, 'rc-template').filter((candidate) => candidate.title === 'Template adoption');
    expect(issue?.body).toContain('**2 repositories**: 2 update-open.');
    expect(w.github.requestCount('GET', LISTINGS) - before, 'one scan: the reconcile\'s').toBe(1);
  });
});
