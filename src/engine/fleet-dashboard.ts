import { countsText, type TemplateReport } from './fleet-report.js';
import { escapeCell, inlineCode } from './markdown-text.js';

/** The dashboard issue's title in each template repository (issue 11's contract). */
export const DASHBOARD_TITLE = 'Template adoption';

/**
 * GitHub refuses an issue body over 65,536 characters:
 * https://github.com/orgs/community/discussions/27190 (the REST API answers 422 "body is too long").
 */
export const GITHUB_BODY_LIMIT = 65_536;

const MARKER = '<!-- template-drift-dashboard -->';
const RERUN_BEHIND = '<!-- template-drift-rerun-behind -->';
const RERUN = (repo: string) => `<!-- template-drift-rerun:${repo} -->`;
/** GitHub's own rule for owner and repository names: the only ones a checkbox is written for. */
const REPO_NAME = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;
const TICKED_REPO = /^\s*[-*] \[[xX]\] <!-- template-drift-rerun:([A-Za-z0-9._-]+\/[A-Za-z0-9._-]+) -->/gm;
const TICKED_BEHIND = /^\s*[-*] \[[xX]\] <!-- template-drift-rerun-behind -->/m;

export interface DashboardOptions {
  /** The fleet web page for this template, when the app's public URL is known (never with a token). */
  readonly pageUrl?: string;
  /** The body's size limit; GitHub's when absent (tests set it low). */
  readonly maxChars?: number;
}

/**
 * The body of the `Template adoption` issue: counts per state, one table row per repository
 * (most urgent first), and a checkbox per repository that re-runs its update, as Renovate's
 * dependency dashboard has retry boxes. Past the size limit it keeps the counts and as many of
 * the most urgent rows as fit, and points to the web page for the rest.
 * Names and versions are shown as inline code: they come from repositories (answers files), and
 * in code a `@team` pings no one and `[x](y)` links nowhere.
 */
export function dashboardBody(template: TemplateReport, options: DashboardOptions = {}): string {
  const limit = options.maxChars ?? GITHUB_BODY_LIMIT;
  const full = renderBody(template, template.repos.length, options);
  if (full.length <= limit) return full;
  // Most urgent first: keep the longest prefix of rows that fits (a binary search over the count).
  let [low, high] = [0, template.repos.length - 1];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (renderBody(template, middle, options).length <= limit) low = middle;
    else high = middle - 1;
  }
  return renderBody(template, low, options);
}

function renderBody(template: TemplateReport, shown: number, options: DashboardOptions): string {
  const rows = template.repos.slice(0, shown);
  const behind = template.counts.behind;
  const rest = template.repos.length - shown;
  const lines = [
    MARKER,
    `Where each repository made from ${inlineCode(template.template)} stands against its latest release, ${template.latest ? inlineCode(template.latest) : 'none yet'}.`,
    'template-drift keeps this issue up to date. Tick a box to re-run that repository\'s update (write access needed).',
    '',
    `**${template.repos.length} ${template.repos.length === 1 ? 'repository' : 'repositories'}**: ${countsText(template.counts)}.`,
    '',
    `- [ ] ${RERUN_BEHIND} Re-run all behind (${behind})`,
    '',
    '| repository | version | state | PR / issue |',
    '| --- | --- | --- | --- |',
    ...rows.map((repo) => `| ${cell(repo.repo)} | ${cell(repo.version)} | ${repo.state} | ${link(repo.url)} |`),
  ];
  if (rest > 0) {
    lines.push('', `${rest} more ${rest === 1 ? 'repository is' : 'repositories are'} left out: an issue holds at most ${GITHUB_BODY_LIMIT.toLocaleString('en')} characters. `
      + (options.pageUrl ? `All of them: ${options.pageUrl}` : 'All of them: `template-drift scan --html`, or the app\'s fleet page.'));
  }
  const boxes = rows.filter((repo) => REPO_NAME.test(repo.repo)).map((repo) => `- [ ] ${RERUN(repo.repo)} ${cell(repo.repo)}`);
  if (boxes.length > 0) lines.push('', '### Re-run one repository', '', ...boxes);
  if (options.pageUrl && rest === 0) lines.push('', `The fleet page: ${options.pageUrl}`);
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return escapeCell(inlineCode(text));
}

function link(url: string | null): string {
  if (!url || !/^https?:\/\/[^\s()<>]+$/i.test(url)) return '';
  const number = /\/(?:pull|issues)\/(\d+)\/?$/.exec(url)?.[1];
  return `[${number ? `#${number}` : 'link'}](${url})`;
}

/** Whether a body is the app's dashboard (its hidden marker). */
export function isDashboard(body: string | null | undefined): boolean {
  return body?.includes(MARKER) ?? false;
}

export interface DashboardTicks {
  /** Repositories whose box was ticked in this edit. */
  readonly repos: readonly string[];
  /** Whether "re-run all behind" was ticked in this edit. */
  readonly allBehind: boolean;
}

/**
 * What a person ticked in one edit of the dashboard: boxes checked in `after` that were not
 * checked in `before` (GitHub's `changes.body.from`). The app writes every box unchecked, so a
 * checked box is a request; the names are checked against the inventory by the caller.
 */
export function newTicks(before: string, after: string): DashboardTicks {
  const earlier = new Set([...before.matchAll(TICKED_REPO)].map((match) => match[1]!.toLowerCase()));
  const repos = [...new Set([...after.matchAll(TICKED_REPO)].map((match) => match[1]!))].filter((repo) => !earlier.has(repo.toLowerCase()));
  return { repos, allBehind: TICKED_BEHIND.test(after) && !TICKED_BEHIND.test(before) };
}
