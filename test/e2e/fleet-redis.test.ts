import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../support/e2e/app-process.js';
import { OWNER, World } from '../support/e2e/fleet.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';
import { RedisServer } from '../support/redis-server.js';

const TOKEN = 'e2e-fleet-redis-token-8d2e51';
const TEMPLATE = 'shared-template';
const SERVICES = ['sh-pay', 'sh-ord', 'sh-inv'];
/** What reading the inventory from GitHub costs first: each repository's answers file. */
const ANSWERS_READS = '/repos/{owner}/{repo}/contents/{path}';

type FleetJson = { templates: { template: string; repos: { repo: string; state: string }[] }[] };

let redis: RedisServer | undefined;
let world: World | undefined;
let second: AppProcess | undefined;

beforeAll(async () => {
  redis = await RedisServer.start();
  world = await World.start({ env: {
    REDIS_URL: redis.url, TEMPLATE_DRIFT_DASHBOARD_TOKEN: TOKEN, TEMPLATE_DRIFT_DASHBOARD_ISSUE: 'true', TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S: '1',
  } });
}, 60_000);
afterAll(async () => {
  await second?.stop();
  await world?.stop();
  await redis?.stop();
});
afterEach(() => world?.github.assertNoViolations());

async function states(app: AppProcess): Promise<Record<string, string>> {
  const response = await fetch(`${app.url}/template-drift/fleet.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  const report = (await response.json()) as FleetJson;
  const template = report.templates.find((entry) => entry.template === `${OWNER}/${TEMPLATE}`);
  return Object.fromEntries((template?.repos ?? []).map((repo) => [repo.repo, repo.state]));
}

async function decline(w: World, service: string): Promise<void> {
  const [pull] = await w.github.pulls(OWNER, service);
  await w.github.closePull(OWNER, service, pull!.number);
}

describe('the fleet inventory with REDIS_URL: two processes of the app share it', () => {
  it('one process scans and patches it, the other serves it without reading GitHub, and the other way round', { timeout: 180_000 }, async () => {
    const w = world!;
    await w.publishTemplate(TEMPLATE, TEMPLATE_V1);
    for (const name of SERVICES) await w.createService(name, TEMPLATE, { ref: 'v1.0.0', vars: { service_name: name.replace('-', '_') } });
    // The first process fans the release out and scans the installation for its Template adoption issue.
    await w.releaseTemplate(TEMPLATE, 'v1.1.0', TEMPLATE_V1_1, 'logging, CI cache, make test');
    await w.settle();
    second = await w.startAnotherApp();
    await decline(w, 'sh-ord');
    await w.settle();

    // The second process never heard of the release or the decline, and reads no answers file:
    // everything it shows is what the first one left in Redis.
    const reads = w.github.requestCount('GET', ANSWERS_READS);
    expect(await states(second)).toEqual({ 'acme/sh-pay': 'update-open', 'acme/sh-ord': 'declined', 'acme/sh-inv': 'update-open' });
    expect(w.github.requestCount('GET', ANSWERS_READS)).toBe(reads);

    // Now the second process hears of a decline; the first shows it, still without reading GitHub.
    w.github.webhookUrl = `${second.url}/api/github/webhooks`;
    await decline(w, 'sh-inv');
    await second.settle(w.github);
    const readsAfter = w.github.requestCount('GET', ANSWERS_READS);
    expect(await states(w.app)).toEqual({ 'acme/sh-pay': 'update-open', 'acme/sh-ord': 'declined', 'acme/sh-inv': 'declined' });
    expect(w.github.requestCount('GET', ANSWERS_READS)).toBe(readsAfter);
    expect(w.app.log + second.log).not.toMatch(/SETTINGS_KEY_NOT_FOUND|ECONNREFUSED/);
  });
});
