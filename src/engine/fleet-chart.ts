import semver from 'semver';
import { escapeHtml } from './markdown-text.js';
import { tagVersion } from './template-versions.js';
import type { TemplateReport } from './fleet-report.js';

const BAR_HEIGHT = 22;
const LABEL_WIDTH = 120;
const BAR_AREA = 360;

/** How many services are on each version, newest version first (semver; other refs after, by name). */
export function versionCounts(template: TemplateReport): { version: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const repo of template.repos) counts.set(repo.version, (counts.get(repo.version) ?? 0) + 1);
  return [...counts.entries()]
    .map(([version, count]) => ({ version, count }))
    .sort((a, b) => {
      const [va, vb] = [tagVersion(a.version), tagVersion(b.version)];
      if (va && vb) return semver.rcompare(va, vb);
      if (va || vb) return va ? -1 : 1;
      return a.version.localeCompare(b.version);
    });
}

/**
 * A horizontal bar chart as plain inline SVG: one bar per version, its length the number of
 * services on it. No script and no library, so the page needs no build step and its CSP can
 * forbid scripts altogether.
 */
export function versionChart(template: TemplateReport): string {
  const bars = versionCounts(template);
  const most = Math.max(1, ...bars.map((bar) => bar.count));
  const height = Math.max(1, bars.length) * BAR_HEIGHT;
  const rows = bars.map((bar, index) => {
    const y = index * BAR_HEIGHT;
    const width = Math.max(2, Math.round((bar.count / most) * BAR_AREA));
    const isLatest = bar.version === template.latest;
    return `<g class="bar" data-version="${escapeHtml(bar.version)}" data-count="${bar.count}">`
      + `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(bar.version)}</text>`
      + `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${width}" height="${BAR_HEIGHT - 6}" class="${isLatest ? 'latest' : 'older'}"/>`
      + `<text x="${LABEL_WIDTH + width + 6}" y="${y + 15}">${bar.count}</text></g>`;
  });
  const label = `Services per version of ${template.template}`;
  return `<svg class="chart" role="img" aria-label="${escapeHtml(label)}" width="${LABEL_WIDTH + BAR_AREA + 40}" height="${height}" `
    + `viewBox="0 0 ${LABEL_WIDTH + BAR_AREA + 40} ${height}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(label)}</title>${rows.join('')}</svg>`;
}
