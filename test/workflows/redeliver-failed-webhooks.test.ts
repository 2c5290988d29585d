import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { TemplateDriftOctokit } from '../../src/app/octokit.js';
import { OctokitAppPlatform } from '../../src/github/octokit-app-platform.js';
import { redeliverFailedWebhooks } from '../../src/workflows/redeliver-failed-webhooks.js';
import { API, useNock } from '../support/app-harness.js';

useNock();

const NOW = new Date('2026-12-01T12:00:00Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString().replace(/\.000Z$/, 'Z');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function delivery(id: number, guid: string, statusCode: number, hours: number, redelivery = false) {
  return {
    id, guid, delivered_at: hoursAgo(hours), redelivery, duration: 0.1, status: statusCode === 0 ? 'failed to connect' : statusCode < 300 ? 'OK' : `Invalid HTTP Response: ${statusCode}`,
    status_code: statusCode, event: 'release', action: 'published', installation_id: 4242, repository_id: 1,
  };
}

function app(): OctokitAppPlatform {
  return new OctokitAppPlatform(new TemplateDriftOctokit({ auth: { token: 'app-jwt' }, retry: { enabled: false }, throttle: { enabled: false } }));
}

/** Two pages, newest first, joined by a cursor; the second page's next link goes past the three days and must not be followed. */
function mockDeliveries(api: nock.Scope): void {
  api.get('/app/hook/deliveries').query({ per_page: '100' }).reply(200, [
    delivery(9, 'event-e', 200, 1, true), // a redelivery that worked
    delivery(8, 'event-g', 0, 2, true), // a redelivery that failed too: not asked again
    delivery(7, 'event-d', 0, 3), // GitHub could not reach the app
    delivery(6, 'event-c', 503, 4), // the app answered 503
    delivery(5, 'event-a', 200, 5),
  ], { link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_6>; rel="next"` });
  api.get('/app/hook/deliveries').query({ per_page: '100', cursor: 'v1_6' }).reply(200, [
    delivery(4, 'event-e', 502, 20),
    delivery(3, 'event-g', 500, 30),
    delivery(2, 'event-f', 500, 71),
    delivery(1, 'event-old', 500, 73), // more than three days ago: GitHub would not redeliver it
  ], { link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_1>; rel="next"` });
}

describe('failed webhook deliveries', () => {
  it('are redelivered once each, across cursor pages, within three days; one GitHub refuses does not stop the others', async () => {
    const api = nock(API);
    mockDeliveries(api);
    api.post('/app/hook/deliveries/7/attempts').reply(202, {});
    api.post('/app/hook/deliveries/6/attempts').reply(422, { message: 'Validation Failed' });
    api.post('/app/hook/deliveries/2/attempts').reply(202, {});
    const asked = new Set<string>();

    const redelivered = await redeliverFailedWebhooks({ app: app(), log: quiet, asked, now: () => NOW });

    expect(redelivered).toEqual([7, 2]);
    expect([...asked].sort()).toEqual(['event-c', 'event-d', 'event-f']);
  });

  it('are never asked for twice by one process, even before GitHub lists the attempt', async () => {
    const api = nock(API);
    mockDeliveries(api);
    mockDeliveries(api);
    for (const id of [7, 6, 2]) api.post(`/app/hook/deliveries/${id}/attempts`).reply(202, {});
    const asked = new Set<string>();

    expect(await redeliverFailedWebhooks({ app: app(), log: quiet, asked, now: () => NOW })).toEqual([7, 6, 2]);
    expect(await redeliverFailedWebhooks({ app: app(), log: quiet, asked, now: () => NOW })).toEqual([]);
  });
});

describe('the app\'s installations', () => {
  it('are listed, every page of them', async () => {
    const api = nock(API);
    api.get('/app/installations').query({ per_page: '100' }).reply(200, [{ id: 11 }, { id: 12 }], { link: `<${API}/app/installations?per_page=100&page=2>; rel="next"` });
    api.get('/app/installations').query({ per_page: '100', page: '2' }).reply(200, [{ id: 13 }]);
    expect(await app().installations()).toEqual([11, 12, 13]);
  });
});
