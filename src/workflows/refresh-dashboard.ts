import { dashboardBody, DASHBOARD_TITLE, type DashboardOptions } from '../engine/fleet-dashboard.js';
import type { FleetEntry } from '../engine/fleet-inventory.js';
import { fleetReport } from '../engine/fleet-report.js';
import type { Platform, RepoId } from '../github/platform.js';
import type { Log } from './log.js';

export interface DashboardDependencies {
  readonly platform: Platform;
  readonly log: Log;
  /** The fleet page for one template, when the app's public URL is known. */
  readonly pageUrl?: (template: string) => string;
  readonly maxChars?: number;
}

/**
 * Brings the `Template adoption` issue of every template in `entries` up to date.
 * 1. group the entries per template (most urgent first) and render each body;
 * 2. find the template repository's dashboard issue (by title and the app's label);
 * 3. none: create it; one with another body, or closed: write the body and reopen it;
 *    the same body: write nothing (GitHub sends no `issues.edited` for it, either).
 * A template repository the installation cannot write to (not installed there) is logged and
 * left out; the others still get theirs. Returns the issues' URLs, by template.
 */
export async function refreshDashboards(entries: readonly FleetEntry[], deps: DashboardDependencies): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const template of fleetReport(entries).templates) {
    const repo = repoOf(template.template);
    if (!repo) continue;
    const options: DashboardOptions = {
      ...(deps.pageUrl && { pageUrl: deps.pageUrl(template.template) }),
      ...(deps.maxChars !== undefined && { maxChars: deps.maxChars }),
    };
    const body = dashboardBody(template, options);
    try {
      urls.set(template.template, await ensureDashboard(deps.platform, repo, body));
    } catch (error) {
      deps.log.warn({ err: error, template: template.template }, 'could not write the template adoption issue');
    }
  }
  return urls;
}

async function ensureDashboard(platform: Platform, repo: RepoId, body: string): Promise<string> {
  const existing = await platform.findIssue(repo, DASHBOARD_TITLE);
  if (!existing) return (await platform.createIssue(repo, DASHBOARD_TITLE, body)).htmlUrl;
  if (existing.state !== 'open' || existing.body !== body) await platform.updateIssue(repo, existing.number, { body, state: 'open' });
  return existing.htmlUrl;
}

function repoOf(template: string): RepoId | undefined {
  const [owner, repo, ...rest] = template.split('/');
  return owner && repo && rest.length === 0 ? { owner, repo } : undefined;
}
