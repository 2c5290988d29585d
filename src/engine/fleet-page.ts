import { versionChart } from './fleet-chart.js';
import { FLEET_STATES } from './fleet-inventory.js';
import type { FleetReport, RepoReport, TemplateReport } from './fleet-report.js';
import { escapeHtml } from './markdown-text.js';

/** The table's filters, from the page's query string; each narrows the rows it names. */
export interface FleetFilters {
  readonly template?: string;
  readonly state?: string;
  readonly owner?: string;
}

export interface FleetPageOptions {
  /** Where the filter form sends its query (the page's own path, never with a token). */
  readonly action: string;
  /** When the inventory was read, for the footer. */
  readonly generatedAt: string;
}

/**
 * The fleet web page, rendered on the server from the same report `fleet.json` serves: per
 * template a bar chart of services per version (inline SVG), counts per state and a table; a
 * GET form filters the tables by template, state and owner. No script at all. Every string that
 * comes from GitHub (repository names, versions, URLs) is escaped, and only http(s) URLs become links.
 */
export function fleetPage(report: FleetReport, filters: FleetFilters, options: FleetPageOptions): string {
  const shown = report.templates.filter((template) => !filters.template || sameName(template.template, filters.template));
  const sections = shown.map((template) => templateSection(template, filters)).join('\n');
  const empty = report.templates.length === 0 ? '<p class="empty">No repository follows a template yet.</p>' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Template adoption · template-drift</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Template adoption</h1>
${filterForm(report, filters, options.action)}
${empty}${sections}
<footer>Read from GitHub at <time datetime="${escapeHtml(options.generatedAt)}">${escapeHtml(options.generatedAt)}</time> · <a href="${escapeHtml(options.action)}.json">fleet.json</a></footer>
</body>
</html>
`;
}

function templateSection(template: TemplateReport, filters: FleetFilters): string {
  const rows = template.repos.filter((repo) => rowMatches(repo, filters));
  const counts = FLEET_STATES.map((state) =>
    `<li class="count state-${state}" data-state="${state}" data-count="${template.counts[state]}"><b>${template.counts[state]}</b> ${state}</li>`).join('');
  return `<section class="template" data-template="${escapeHtml(template.template)}">
<h2>${escapeHtml(template.template)} <small>latest ${escapeHtml(template.latest ?? 'none')}</small></h2>
${versionChart(template)}
<ul class="counts">${counts}</ul>
<table class="repos">
<thead><tr><th>repository</th><th>version</th><th>state</th><th>PR / issue</th><th>seen</th></tr></thead>
<tbody>
${rows.map(repoRow).join('\n')}
</tbody>
</table>
<p class="shown">${rows.length} of ${template.repos.length} shown</p>
</section>`;
}

function repoRow(repo: RepoReport): string {
  const link = repo.url && /^https?:\/\//i.test(repo.url) ? `<a href="${escapeHtml(repo.url)}">${escapeHtml(linkText(repo.url))}</a>` : '';
  return `<tr data-repo="${escapeHtml(repo.repo)}" data-state="${repo.state}"><td>${escapeHtml(repo.repo)}</td><td>${escapeHtml(repo.version)}</td>`
    + `<td class="state-${repo.state}">${repo.state}</td><td>${link}</td><td>${escapeHtml(repo.seenAt)}</td></tr>`;
}

function filterForm(report: FleetReport, filters: FleetFilters, action: string): string {
  const owners = [...new Set(report.templates.flatMap((template) => template.repos.map((repo) => ownerOf(repo.repo))))].sort();
  const select = (name: string, label: string, values: readonly string[], chosen: string | undefined) =>
    `<label>${label} <select name="${name}"><option value="">all</option>${values.map((value) =>
      `<option value="${escapeHtml(value)}"${chosen !== undefined && sameName(value, chosen) ? ' selected' : ''}>${escapeHtml(value)}</option>`).join('')}</select></label>`;
  return `<form class="filters" method="get" action="${escapeHtml(action)}">
${select('template', 'template', report.templates.map((template) => template.template), filters.template)}
${select('state', 'state', FLEET_STATES, filters.state)}
${select('owner', 'owner', owners, filters.owner)}
<button type="submit">Filter</button>
</form>`;
}

function rowMatches(repo: RepoReport, filters: FleetFilters): boolean {
  return (!filters.state || repo.state === filters.state) && (!filters.owner || sameName(ownerOf(repo.repo), filters.owner));
}

/** `#12` for a PR or issue URL, else the URL itself. */
function linkText(url: string): string {
  const match = /\/(?:pull|issues)\/(\d+)\/?$/.exec(url);
  return match ? `#${match[1]}` : url;
}

function ownerOf(repo: string): string {
  return repo.split('/')[0] ?? repo;
}

/** GitHub names are case-insensitive. */
function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

const STYLE = `
body { font: 15px/1.4 system-ui, sans-serif; margin: 2em; color: #1f2328; }
h2 small { font-weight: normal; color: #59636e; }
.filters label { margin-right: 1em; }
.counts { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5em 1.5em; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: .25em .75em; border-bottom: 1px solid #d1d9e0; }
.chart text { font-size: 12px; fill: #1f2328; }
.chart rect.latest { fill: #1a7f37; }
.chart rect.older { fill: #9a6700; }
.state-action-required, .state-conflicts { color: #cf222e; }
.state-behind, .state-drifted { color: #9a6700; }
.state-in-line { color: #1a7f37; }
footer { margin-top: 2em; color: #59636e; }
`;
