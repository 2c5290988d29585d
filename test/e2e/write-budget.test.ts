import { describe, expect, it } from 'vitest';
import { isContentWrite } from '../../src/github/budget-writes.js';
import type { RecordedRequest } from '../support/local-github/index.js';
import { OWNER } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';

const PER_MINUTE = 20;
const world = useWorld({ env: { TEMPLATE_DRIFT_WRITES_PER_MINUTE: String(PER_MINUTE) } });

/** A content-creating request as GitHub counts it: an API write (token requests aside) or a git push. */
function isWrite(request: RecordedRequest): boolean {
  if (/\.git\//.test(request.path)) return request.method === 'POST' && request.path.endsWith('/git-receive-pack');
  return isContentWrite(request.method, request.path);
}

/** The most requests that arrived within any 60 s. */
function busiestMinute(times: readonly number[]): number {
  return Math.max(0, ...times.map((start) => times.filter((at) => at >= start && at < start + 60_000).length));
}

describe("GitHub's write budget, end to end", () => {
  // The rule is about a minute, so this test takes a little over one: 7 services need 21 writes.
  it(`with ${PER_MINUTE} writes a minute, no 60 s of the request log holds more, and the fan-out completes`, { timeout: 180_000 }, async () => {
    const w = world();
    const { github } = w;
    const services = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'];
    await w.publishTemplate('tpl-w', TEMPLATE_V1);
    for (const name of services) await w.createService(name, 'tpl-w', { ref: 'v1.0.0', vars: { service_name: name } });
    const before = github.requests().length;

    await w.releaseTemplate('tpl-w', 'v1.1.0', TEMPLATE_V1_1, 'a logging field');
    await w.settle(150_000);

    for (const name of services) expect(await github.pulls(OWNER, name), name).toMatchObject([{ state: 'open', title: 'Update tpl-w to v1.1.0' }]);
    const writes = github.requests().slice(before).filter(isWrite);
    expect(writes.filter((r) => r.path.endsWith('/git-receive-pack'))).toHaveLength(services.length);
    // More writes than one minute allows: the budget had to hold some back.
    expect(writes.length).toBeGreaterThan(PER_MINUTE);
    expect(busiestMinute(writes.map((r) => r.at))).toBeLessThanOrEqual(PER_MINUTE);
  });
});
