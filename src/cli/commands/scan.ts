import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fleetPage } from '../../engine/fleet-page.js';
import { countsText, fleetCsv, fleetReport, outOfLine, type FleetReport } from '../../engine/fleet-report.js';
import { templateKey } from '../../engine/template-identity.js';
import { UserError } from '../../engine/user-error.js';
import { AccountPlatform } from '../../github/account-platform.js';
import { restClient } from '../../github/rest-client.js';
import { scanFleet } from '../../workflows/scan-fleet.js';
import { openTemplate, rendererOf, type CliEnvironment } from '../environment.js';
import { paint, type Output } from '../output.js';
import { EXIT_ERROR } from '../program.js';

export interface ScanOptions {
  readonly owner: string;
  readonly template?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
  readonly html?: string;
}

const QUIET_LOG = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

/**
 * `template-drift scan --owner ORG`: where every repository of an account stands against its
 * template, read from GitHub's API with GITHUB_TOKEN (no clone of any service). Exit 0 when all
 * are in line, 1 when any is not (a CI gate for the platform team), 2 when the scan could not
 * read everything.
 * 1. read every repository of the account, its answers file, PRs and issues (the reconcile scan);
 * 2. print the report: a table, `--json` (fleet.json's shape), `--csv`, or `--html FILE`;
 * 3. repositories GitHub would not answer for go to stderr, and make it exit 2.
 */
export async function scan(options: ScanOptions, environment: CliEnvironment, output: Output): Promise<number> {
  const formats = [options.json, options.csv, options.html !== undefined].filter(Boolean).length;
  if (formats > 1) throw new UserError('Give at most one of --json, --csv and --html.');
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(options.owner)) throw new UserError(`--owner ${options.owner} is not a GitHub account name.`);
  if (options.template !== undefined && !templateKey(options.template)) throw new UserError(`--template ${options.template} is not owner/repo.`);

  const client = restClient({ ...(environment.token && { token: environment.token }), baseUrl: environment.apiUrl, onWait: (message) => output.progress(message) });
  const result = await scanFleet({
    platform: new AccountPlatform(client, options.owner),
    openTemplate: async (source) => {
      const { repository } = await openTemplate(source, environment.cwd, environment, output);
      return { name: templateKey(source) ?? source, repository };
    },
    log: QUIET_LOG,
    ...(options.template !== undefined && { template: options.template }),
    render: rendererOf(environment),
    onProgress: (done, total) => output.progressBar(done, total, 'repositories'),
  });
  const report = fleetReport(result.entries);

  if (options.json) output.print(JSON.stringify(report, null, 2));
  else if (options.csv) output.print(fleetCsv(report));
  else if (options.html !== undefined) {
    const file = resolve(environment.cwd, options.html);
    await writeFile(file, fleetPage(report, {}, { action: '', generatedAt: new Date().toISOString() }));
    output.print(`Wrote the fleet page of ${options.owner} to ${file}: ${summary(report)}.`);
  } else output.print(table(report, output));

  for (const failure of result.failures) output.error(`template-drift: could not read ${failure.repo}: ${failure.message}`);
  if (result.failures.length > 0) return EXIT_ERROR;
  return outOfLine(report) > 0 ? 1 : 0;
}

function table(report: FleetReport, output: Output): string {
  if (report.templates.length === 0) return 'No repository of this account follows a template.';
  const colors = paint(output);
  const width = Math.max(10, ...report.templates.flatMap((template) => template.repos.map((repo) => repo.repo.length)));
  return report.templates.map((template) => [
    colors.bold(`${template.template} (latest ${template.latest ?? 'none'}): ${countsText(template.counts)}`),
    ...template.repos.map((repo) => `  ${repo.repo.padEnd(width)}  ${repo.version.padEnd(10)}  ${repo.state.padEnd(15)}  ${repo.url ?? ''}`.trimEnd()),
  ].join('\n')).join('\n\n');
}

function summary(report: FleetReport): string {
  const repos = report.templates.reduce((sum, template) => sum + template.repos.length, 0);
  return `${repos} repositories, ${outOfLine(report)} not in line`;
}
