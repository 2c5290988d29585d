import { FLEET_STATES, groupFleet, type FleetEntry, type FleetState } from './fleet-inventory.js';

/**
 * The fleet as data: what `GET /template-drift/fleet.json` and `template-drift scan --json`
 * print, and what the web page and `--csv` are rendered from. Its shape is issue 11's contract
 * (`templates[].template/latest/counts/repos[].repo/version/state/url`); `commit` and `seenAt`
 * are added fields.
 */
export interface FleetReport {
  readonly templates: readonly TemplateReport[];
}

export interface TemplateReport {
  readonly template: string;
  /** The template's latest release; null when it has none. */
  readonly latest: string | null;
  readonly counts: Readonly<Record<FleetState, number>>;
  /** Most urgent first. */
  readonly repos: readonly RepoReport[];
}

export interface RepoReport {
  readonly repo: string;
  readonly version: string;
  readonly state: FleetState;
  /** The update PR or the action-required issue; null when the state needs neither. */
  readonly url: string | null;
  readonly commit: string | null;
  readonly seenAt: string;
}

export function fleetReport(entries: readonly FleetEntry[]): FleetReport {
  return {
    templates: groupFleet(entries).map((fleet) => ({
      template: fleet.template,
      latest: fleet.latest ?? null,
      counts: fleet.counts,
      repos: fleet.repos.map((entry) => ({
        repo: entry.repo, version: entry.version, state: entry.state, url: entry.url ?? null, commit: entry.commit ?? null, seenAt: entry.seenAt,
      })),
    })),
  };
}

/** Repositories that are not `in-line`: what makes `template-drift scan` exit 1. */
export function outOfLine(report: FleetReport): number {
  return report.templates.reduce((sum, template) => sum + template.repos.filter((repo) => repo.state !== 'in-line').length, 0);
}

const CSV_COLUMNS = ['template', 'latest', 'repo', 'version', 'state', 'url', 'commit', 'seen_at'] as const;

/** One row per repository (RFC 4180), for spreadsheets. */
export function fleetCsv(report: FleetReport): string {
  const rows = report.templates.flatMap((template) => template.repos.map((repo) =>
    [template.template, template.latest ?? '', repo.repo, repo.version, repo.state, repo.url ?? '', repo.commit ?? '', repo.seenAt]));
  return [[...CSV_COLUMNS], ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * Names come from repositories anyone may create: a cell a spreadsheet would read as a formula
 * (`=`, `+`, `-`, `@`, tab, CR) is prefixed with `'`, as OWASP advises against CSV injection.
 */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Counts as `2 behind, 1 conflicts` (states with none left out), most urgent first. */
export function countsText(counts: Readonly<Record<FleetState, number>>): string {
  const parts = FLEET_STATES.filter((state) => counts[state] > 0).map((state) => `${counts[state]} ${state}`);
  return parts.length > 0 ? parts.join(', ') : 'no repositories';
}
