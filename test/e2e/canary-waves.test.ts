import { describe, expect, it } from 'vitest';
import { OWNER } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';
import type { Tree } from '../support/git-tree.js';

const world = useWorld();

const MANIFEST_V1 = TEMPLATE_V1['template.yml'] as string;

/** The e2e template at v1.0.0 with a `rollout:` in its template.yml (v1.1.0 keeps it). */
function withRollout(rollout: string): Tree {
  return { ...TEMPLATE_V1, 'template.yml': `${MANIFEST_V1}rollout: ${rollout}\n` };
}

async function waitForPulls(list: () => Promise<readonly unknown[]>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await list()).length === 0) {
    if (Date.now() > deadline) throw new Error(`no pull request within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('canary waves, end to end', () => {
  // Three services, three settles: slow on a loaded machine, hence the longer timeout.
  it('a release reaches the canaries first; the rest follow once every canary PR is merged', { timeout: 150_000 }, async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-k', withRollout('{ canary: [acme/k-canary, acme/k-canary2], wait: 1h }'));
    for (const name of ['k-canary', 'k-canary2', 'k-one']) await w.createService(name, 'tpl-k', { ref: 'v1.0.0', vars: { service_name: name.replace('-', '') } });

    await w.releaseTemplate('tpl-k', 'v1.1.0', TEMPLATE_V1_1, 'notes');
    await w.settle();
    const [canary] = await github.pulls(OWNER, 'k-canary');
    const [canary2] = await github.pulls(OWNER, 'k-canary2');
    expect(canary?.body).toContain('**Rollout:** this repository is in the canary wave of `v1.1.0`');
    expect(canary?.body).toContain('or 1h after the release');
    expect(await github.pulls(OWNER, 'k-one')).toEqual([]);

    // One canary merged: the other still holds the rest back.
    await github.mergePull(OWNER, 'k-canary', canary!.number);
    await w.settle();
    expect(await github.pulls(OWNER, 'k-one')).toEqual([]);

    await github.mergePull(OWNER, 'k-canary2', canary2!.number);
    await w.settle();
    const pulls = await github.pulls(OWNER, 'k-one');
    expect(pulls).toMatchObject([{ state: 'open', title: 'Update tpl-k to v1.1.0' }]);
    expect(pulls[0]?.body).toContain('**Rollout:** this repository is in the second wave of `v1.1.0`, after the canary repositories (`acme/k-canary`, `acme/k-canary2`).');
  });

  it('the rest follow after `wait` when the canary PR is not merged', { timeout: 120_000 }, async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-j', withRollout('{ canary: [acme/j-canary], wait: 3s }'));
    for (const name of ['j-canary', 'j-one']) await w.createService(name, 'tpl-j', { ref: 'v1.0.0', vars: { service_name: name.replace('-', '') } });

    await w.releaseTemplate('tpl-j', 'v1.1.0', TEMPLATE_V1_1, 'notes');
    await waitForPulls(() => github.pulls(OWNER, 'j-one'), 30_000);
    await w.settle();

    expect(await github.pulls(OWNER, 'j-canary')).toMatchObject([{ state: 'open', merged: false }]);
    const [rest] = await github.pulls(OWNER, 'j-one');
    expect(rest?.body).toContain('in the second wave of `v1.1.0`');
  });

  it('a template.yml whose rollout is invalid makes no waves: every update reports the error', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-x', TEMPLATE_V1);
    await w.createService('x-svc', 'tpl-x', { ref: 'v1.0.0', vars: { service_name: 'xsvc' } });

    await w.releaseTemplate('tpl-x', 'v1.1.0', { ...TEMPLATE_V1_1, 'template.yml': `${MANIFEST_V1}rollout: { canary: [x-svc], wait: soon }\n` }, 'notes');
    await w.settle();

    expect(await github.pulls(OWNER, 'x-svc')).toEqual([]);
    const [issue] = github.issues(OWNER, 'x-svc');
    expect(issue?.body).toContain('rollout.canary.0: each canary is a repository written owner/repo');
    expect(issue?.body).toContain('rollout.wait: wait is a whole number and a unit');
  });
});
