import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetHandler } from '../../src/app/fleet-handler.js';
import { stripToken } from '../../src/app/strip-token.js';
import type { FleetEntry } from '../../src/engine/fleet-inventory.js';

const TOKEN = 'fleet-page-token-0123456789';
const entries: FleetEntry[] = [
  { repo: 'acme/payments', template: 'acme/service-template', version: 'v1.0.0', latest: 'v1.1.0', state: 'update-open', url: 'https://github.com/acme/payments/pull/1', seenAt: '2026-12-01T12:00:00Z' },
  { repo: 'acme/orders', template: 'acme/service-template', version: 'v1.1.0', latest: 'v1.1.0', state: 'in-line', seenAt: '2026-12-01T12:00:00Z' },
];

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (running) await new Promise((resolve) => running.close(resolve));
});

/** The handler as the app's server chains it: a request it does not take gets a 404. */
async function serve(token: string | undefined): Promise<string> {
  const handler = fleetHandler(token, () => Promise.resolve(entries));
  server = createServer((request, response) => {
    void handler(request, response).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('GET /template-drift/fleet', () => {
  it('does not exist without TEMPLATE_DRIFT_DASHBOARD_TOKEN', async () => {
    const url = await serve(undefined);
    expect((await fetch(`${url}/template-drift/fleet`)).status).toBe(404);
    expect((await fetch(`${url}/template-drift/fleet.json`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('refuses a request without the token, or with another one', async () => {
    const url = await serve(TOKEN);
    const none = await fetch(`${url}/template-drift/fleet`);
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain('acme/payments');
    expect((await fetch(`${url}/template-drift/fleet.json`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/template-drift/fleet`, { headers: { cookie: 'template_drift_dashboard=wrong' } })).status).toBe(401);
    const query = await fetch(`${url}/template-drift/fleet?token=wrong`, { redirect: 'manual' });
    expect(query.status).toBe(401);
    expect(query.headers.get('set-cookie')).toBeNull();
  });

  it('serves fleet.json to a Bearer token, in the issue\'s shape', async () => {
    const url = await serve(TOKEN);
    const response = await fetch(`${url}/template-drift/fleet.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { templates: { template: string; latest: string; counts: Record<string, number>; repos: { repo: string; state: string; url: string | null }[] }[] };
    expect(body.templates).toHaveLength(1);
    expect(body.templates[0]).toMatchObject({ template: 'acme/service-template', latest: 'v1.1.0', counts: { 'update-open': 1, 'in-line': 1, behind: 0 } });
    expect(body.templates[0]!.repos.map((repo) => [repo.repo, repo.state, repo.url])).toEqual([
      ['acme/payments', 'update-open', 'https://github.com/acme/payments/pull/1'], ['acme/orders', 'in-line', null],
    ]);
  });

  it('takes ?token= once: an HttpOnly cookie for the page, and a redirect to the URL without it', async () => {
    const url = await serve(TOKEN);
    const first = await fetch(`${url}/template-drift/fleet?state=in-line&token=${TOKEN}`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/template-drift/fleet?state=in-line');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^template_drift_dashboard=[^;]+; Path=\/template-drift\/fleet; HttpOnly; SameSite=Strict$/);
    const page = await fetch(`${url}/template-drift/fleet?state=in-line`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<tr data-repo="acme/orders"');
    expect(html).not.toContain('<tr data-repo="acme/payments"');
    expect(html).not.toContain(TOKEN);
  });
});

describe('the token in a request URL', () => {
  it('is taken out whatever its case and place, the rest of the query kept', () => {
    expect(stripToken('/template-drift/fleet?token=s3cret')).toBe('/template-drift/fleet');
    expect(stripToken('/template-drift/fleet?state=behind&TOKEN=s3cret&owner=acme')).toBe('/template-drift/fleet?state=behind&owner=acme');
    expect(stripToken('/api/github/webhooks')).toBe('/api/github/webhooks');
  });
});
