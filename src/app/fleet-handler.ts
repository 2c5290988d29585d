import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetEntry } from '../engine/fleet-inventory.js';
import { fleetPage, type FleetFilters } from '../engine/fleet-page.js';
import { fleetReport } from '../engine/fleet-report.js';
import { stripToken, TOKEN_PARAMETER } from './strip-token.js';

export const FLEET_PATH = '/template-drift/fleet';
const COOKIE = 'template_drift_dashboard';

/** What the page shows: every installation's inventory. */
export type FleetSource = () => Promise<FleetEntry[]>;

/**
 * `GET /template-drift/fleet` (HTML) and `GET /template-drift/fleet.json`. Without a token
 * configured they do not exist (404, from Probot's own handler). With one, a request needs
 * `Authorization: Bearer <token>` or the cookie; `?token=<token>` once sets that cookie
 * (HttpOnly, SameSite=Strict, for these paths only) and redirects to the same URL without it,
 * so the token leaves the address bar and the history. Tokens are compared in constant time.
 * The page lists private repository names: it is never cached and never sent as a referrer.
 */
export function fleetHandler(token: string | undefined, source: FleetSource) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = new URL(request.url ?? '/', 'http://app.invalid');
    if (request.method !== 'GET' || !token || (url.pathname !== FLEET_PATH && url.pathname !== `${FLEET_PATH}.json`)) return false;
    const given = url.searchParams.get(TOKEN_PARAMETER);
    if (given !== null) {
      request.url = stripToken(request.url ?? '/');
      if (!sameToken(given, token)) return refuse(response);
      const secure = request.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
      response.writeHead(303, {
        location: request.url,
        'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; Path=${FLEET_PATH}; HttpOnly; SameSite=Strict${secure}`,
        'cache-control': 'no-store',
      });
      response.end();
      return true;
    }
    if (!authorized(request, token)) return refuse(response);
    const report = fleetReport(await source());
    const headers = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' };
    if (url.pathname.endsWith('.json')) {
      response.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(report, null, 2));
      return true;
    }
    const filters: FleetFilters = {
      ...param(url, 'template', (value) => ({ template: value })),
      ...param(url, 'state', (value) => ({ state: value })),
      ...param(url, 'owner', (value) => ({ owner: value })),
    };
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      // No script runs on the page at all; styles are inline, and forms go back to the page only.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    });
    response.end(fleetPage(report, filters, { action: FLEET_PATH, generatedAt: new Date().toISOString() }));
    return true;
  };
}

function authorized(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization;
  const bearer = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (bearer) return sameToken(bearer, token);
  const cookie = (request.headers.cookie ?? '').split(';').map((part) => part.trim()).find((part) => part.startsWith(`${COOKIE}=`));
  if (!cookie) return false;
  try {
    return sameToken(decodeURIComponent(cookie.slice(COOKIE.length + 1)), token);
  } catch {
    return false;
  }
}

/** Hashes first, so the comparison takes the same time whatever the lengths. */
function sameToken(given: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function refuse(response: ServerResponse): true {
  response.writeHead(401, { 'www-authenticate': 'Bearer realm="template-drift"', 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end('The fleet page needs the dashboard token: Authorization: Bearer <token>, or ?token=<token> once.\n');
  return true;
}

function param<T>(url: URL, name: string, make: (value: string) => T): T | Record<string, never> {
  const value = url.searchParams.get(name);
  return value ? make(value) : {};
}
