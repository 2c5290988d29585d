/**
 * Where every service stands against its template: the one data shape that the reconcile scan
 * produces and the fleet views (dashboard issue, web page, `fleet.json`, `template-drift scan`)
 * read. State lives in GitHub (answers files, PRs, issues); this is only what a scan saw.
 */

/** Most urgent first: the order of the dashboard's rows and of the web page's table. */
export const FLEET_STATES = ['action-required', 'conflicts', 'behind', 'drifted', 'update-open', 'declined', 'in-line'] as const;

/**
 * - `in-line`: on the template's latest release, every enforced file as the template renders it;
 * - `behind`: on an older release, no update PR open and none declined for the latest;
 * - `drifted`: on the latest release, but an enforced file differs from the rendered template;
 * - `update-open`: the app's update PR is open and merges cleanly;
 * - `conflicts`: the app's update PR is open with conflicts to resolve;
 * - `declined`: the update PR to the latest release was closed unmerged;
 * - `action-required`: the app's "action required" issue is open (bad answers, render error…).
 */
export type FleetState = (typeof FLEET_STATES)[number];

export interface FleetEntry {
  /** `owner/name` of the service repository. */
  readonly repo: string;
  /** `owner/repo` of its template, as the inventory groups it. */
  readonly template: string;
  /** The release its answers file records (`v1.1.0`). */
  readonly version: string;
  /** The template commit its answers file records, when it records one. */
  readonly commit?: string;
  /** The template's latest release, when it has one. */
  readonly latest?: string;
  readonly state: FleetState;
  /** The update PR or the action-required issue that explains the state. */
  readonly url?: string;
  /** When a scan or an event last saw this state (ISO 8601). */
  readonly seenAt: string;
  /** What the scan itself could not get past (answers file, template, render), for `action-required`. */
  readonly problem?: string;
}

export interface TemplateFleet {
  readonly template: string;
  readonly latest?: string;
  readonly counts: Readonly<Record<FleetState, number>>;
  /** Most urgent first, then by repository name. */
  readonly repos: readonly FleetEntry[];
}

/** The entries grouped per template, counted per state, most urgent first. */
export function groupFleet(entries: readonly FleetEntry[]): TemplateFleet[] {
  const byTemplate = new Map<string, FleetEntry[]>();
  for (const entry of entries) {
    const key = entry.template.toLowerCase();
    byTemplate.set(key, [...(byTemplate.get(key) ?? []), entry]);
  }
  return [...byTemplate.values()]
    .map((repos) => {
      const counts = Object.fromEntries(FLEET_STATES.map((state) => [state, 0])) as Record<FleetState, number>;
      for (const entry of repos) counts[entry.state] += 1;
      const latest = repos.find((entry) => entry.latest !== undefined)?.latest;
      return { template: repos[0]!.template, ...(latest !== undefined && { latest }), counts, repos: [...repos].sort(byUrgency) };
    })
    .sort((a, b) => a.template.localeCompare(b.template));
}

function byUrgency(a: FleetEntry, b: FleetEntry): number {
  return FLEET_STATES.indexOf(a.state) - FLEET_STATES.indexOf(b.state) || a.repo.localeCompare(b.repo);
}
