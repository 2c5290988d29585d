/**
 * `npm run bench`: the whole `update` process against its floor (`node -e 0` plus the git
 * commands no update can avoid) at 60 and 500 files and in a 20,000-file repository; the app's
 * API calls and git processes per repository; then render and update figures (median / min, ms) for the built-in template, a
 * synthetic 500-file template, a cookiecutter Django template (bench/cookiecutter-template.ts), the same update in a 500-file and a 20,000-file repository, and
 * `diff` of a 20,000-line file rewritten on every line.
 * It prints figures and asserts nothing. BENCH_RUNS sets the repetitions (default 5).
 */
import { readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ANSWERS_FILE, parseAnswers } from '../src/engine/answers-file.js';
import { renderSnapshot } from '../src/engine/render-snapshot.js';
import { LocalCheckout } from '../src/git/local-checkout.js';
import { locateTemplate } from '../src/git/template-location.js';
import { TemplateStore } from '../src/git/template-store.js';
import { appPathCosts, gitShim, type AppPathCost } from './app-path.js';
import { appReadFigures } from './app-read.js';
import { bigRewriteFigures, REWRITTEN_LINES } from './big-rewrite.js';
import { builtinTemplate } from './builtin-template.js';
import { cookiecutterBenchTemplate } from './cookiecutter-template.js';
import { cli, git, isolateGit, ownFiles, removeTempDirs, serviceRepo, templateRepo, writeTree, type Service } from './fixtures.js';
import { cell, measure, ms, table, type Figures } from './measure.js';
import { processFigures, type ProcessFigures } from './process-floor.js';
import { syntheticTemplate, SYNTHETIC_VARIABLES } from './synthetic-template.js';
import { END_TO_END_COLD, END_TO_END_WARM, updatePhases, type PhaseResult } from './update-phases.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COLD_RUNS = Math.min(RUNS, 3);

interface TemplateRow {
  readonly name: string;
  readonly files: number;
  readonly changed: number;
  readonly render?: { readonly engine: Figures; readonly toDisk: Figures };
  readonly update?: PhaseResult;
  readonly skipped?: string;
}

/** The target's render in memory (renderSnapshot), and `render` from the CLI into a new folder. */
async function renderFigures(service: Service, template: string): Promise<TemplateRow['render']> {
  const answersFile = join(service.dir, ANSWERS_FILE);
  const answers = parseAnswers(await readFile(answersFile, 'utf8'));
  const repository = await new TemplateStore({ cacheDir: service.cacheDir }).open(locateTemplate(template, { baseDir: service.cwd }));
  const files = await repository.read((await repository.resolve('v1.1.0')).commit);
  const repo = await new LocalCheckout(service.dir).identity();
  const engine = await measure(RUNS, () => renderSnapshot({ files, ref: 'v1.1.0', answers: answers.variables, repo }));
  let out = '';
  let count = 0;
  const args = () => ['render', '--template', template, '--ref', 'v1.1.0', '--answers', answersFile, '--out', out];
  const toDisk = await measure(RUNS, () => cli(args(), { cwd: service.cwd, cacheDir: service.cacheDir }), async () => {
    if (out !== '') await rm(out, { recursive: true, force: true });
    out = join(service.cwd, `render-${count++}`);
  });
  return { engine, toDisk };
}

async function builtinRow(): Promise<TemplateRow> {
  const name = 'templates/django-service';
  try {
    const builtin = await builtinTemplate();
    if (typeof builtin === 'string') return { name, files: 0, changed: 0, skipped: builtin };
    const service = await serviceRepo(builtin.dir, builtin.variables);
    return {
      name,
      files: builtin.files,
      changed: builtin.changed,
      render: await renderFigures(service, builtin.dir),
      update: await updatePhases(service, RUNS, COLD_RUNS),
    };
  } catch (error) {
    return { name, files: 0, changed: 0, skipped: `not benchmarkable yet: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** A Django service template in cookiecutter's dialect (Jinja through minijinja), measured as the others. */
async function cookiecutterRow(): Promise<TemplateRow> {
  const template = await cookiecutterBenchTemplate();
  const service = await serviceRepo(template.dir, {});
  const name = `cookiecutter Django (${template.files} files)`;
  return { name, files: template.files, changed: template.changed, render: await renderFigures(service, template.dir), update: await updatePhases(service, RUNS, COLD_RUNS) };
}

/** Section 0: each process's figure, and the update's ratio to the floor (medians / mins). */
function printFloor(rows: readonly [string, ProcessFigures][]): void {
  console.log('0. update as a whole process (node dist/cli/main.js update, warm template and code caches) against its floor:');
  console.log('   node -e 0, plus the git commands no update avoids run alone (status, ls-remote, log, two ls-tree, one cat-file --batch,');
  console.log('   one merge-file per merged file, side by side where independent) and writing the files');
  const sum = (a: Figures, b: Figures): Figures => ({ median: a.median + b.median, min: a.min + b.min, runs: a.runs });
  console.log(
    table([
      ['repository', 'node -e 0', 'unavoidable git', 'floor', 'update', 'update / floor', 'git processes (update / floor)'],
      ...rows.map(([name, figures]) => {
        const floor = sum(figures.node, figures.git);
        return [name, cell(figures.node), cell(figures.git), cell(floor), cell(figures.update),
          `× ${(figures.update.median / floor.median).toFixed(2)} / × ${(figures.update.min / floor.min).toFixed(2)}`,
          `${figures.updateGitProcesses} / ${figures.floorGitProcesses}`];
      }),
    ]),
  );
}

/** Section 0b: the app, per repository, for a release it is in line with and one it is behind. */
function printAppPath(costs: { inLine: AppPathCost; behind: AppPathCost }): void {
  console.log(`\n0b. The app, per repository, for one release fanned out to ${costs.inLine.repositories} services (60-file template; fan-out included, divided by services)`);
  const row = (name: string, cost: AppPathCost) => [name, cost.apiCalls.toFixed(1), cost.gitRequests.toFixed(1), cost.gitProcesses.toFixed(1)];
  console.log(table([['services', 'API calls', 'git HTTP requests', 'git processes'], row('in line (already at the release)', costs.inLine), row('behind by one release (update PR)', costs.behind)]));
  for (const [name, cost] of [['in line', costs.inLine], ['behind', costs.behind]] as const) {
    console.log(`   ${name}: ${Object.entries(cost.routes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([route, count]) => `${route} ×${count}`).join(', ')}`);
  }
}

function load(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' ');
}

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = cpus();
  const gitVersion = (await git('.', '--version')).trim();
  console.log(`template-drift bench — ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${gitVersion}`);
  console.log(`median / min of ${RUNS} runs (${COLD_RUNS} for cold cache), in ms; load average ${load()} at the start\n`);

  const synthetic = syntheticTemplate(500);
  const syntheticDir = await templateRepo('synthetic', (dir) => writeTree(dir, synthetic.v1), () => Promise.resolve(synthetic.v2));
  const small = await serviceRepo(syntheticDir, SYNTHETIC_VARIABLES);
  const buildStart = performance.now();
  const large = await serviceRepo(syntheticDir, SYNTHETIC_VARIABLES, ownFiles(19_500));
  const buildLarge = performance.now() - buildStart;

  const smallPhases = await updatePhases(small, RUNS, COLD_RUNS);
  const largePhases = await updatePhases(large, RUNS, COLD_RUNS);
  const synthetic60 = syntheticTemplate(60);
  const tiny = await serviceRepo(await templateRepo('synthetic-60', (dir) => writeTree(dir, synthetic60.v1), () => Promise.resolve(synthetic60.v2)), SYNTHETIC_VARIABLES);
  const tinyPhases = await updatePhases(tiny, RUNS, COLD_RUNS);
  const shim = await gitShim();
  const processRows: [string, ProcessFigures][] = [
    [`${tiny.files} files (60-file template)`, await processFigures(tiny, tinyPhases.work, RUNS, shim)],
    [`${small.files} files (500-file template)`, await processFigures(small, smallPhases.work, RUNS, shim)],
    [`${large.files} files (same template)`, await processFigures(large, largePhases.work, RUNS, shim)],
  ];
  printFloor(processRows);
  printAppPath(await appPathCosts(60));
  for (const [phase, figures] of await appReadFigures(small, syntheticDir, RUNS)) smallPhases.phases.set(phase, figures);
  for (const [phase, figures] of await appReadFigures(large, syntheticDir, RUNS)) largePhases.phases.set(phase, figures);
  const rows: TemplateRow[] = [
    await builtinRow(),
    { name: 'synthetic (500 files)', files: 500, changed: synthetic.changed, render: await renderFigures(small, syntheticDir), update: smallPhases },
    await cookiecutterRow(),
  ];

  console.log('\n1–2. Render and update of a template, v1.0.0 → v1.1.0 (service repo = the template output + local edits)');
  console.log(
    table([
      ['template', 'files', 'changed', 'render (engine)', 'render (CLI → disk)', 'update (CLI, warm)', 'update (CLI, cold)', 'merged', 'conflicts'],
      ...rows
        .filter((row) => row.skipped === undefined)
        .map((row) => [
          row.name,
          String(row.files),
          String(row.changed),
          cell(row.render?.engine),
          cell(row.render?.toDisk),
          cell(row.update?.phases.get(END_TO_END_WARM)),
          cell(row.update?.phases.get(END_TO_END_COLD)),
          String(row.update?.stats.merged ?? ''),
          String(row.update?.stats.conflicts ?? ''),
        ]),
    ]),
  );
  for (const row of rows) if (row.skipped !== undefined) console.log(`${row.name}: skipped, ${row.skipped}`);

  console.log(`\n3. The same update in a ${small.files}-file and a ${large.files}-file repository (${synthetic.changed} template files changed;`);
  console.log(`   ${smallPhases.stats.managed} template paths read, ${smallPhases.stats.written} files written, ${smallPhases.stats.deleted} deleted, ${smallPhases.stats.merged} merged, ${smallPhases.stats.conflicts} conflicts)`);
  console.log(
    table([
      ['phase', `${small.files} files`, `${large.files} files`, 'ratio (medians / mins)'],
      ...[...smallPhases.phases].map(([phase, figures]) => {
        const other = largePhases.phases.get(phase);
        const ratio = other ? `× ${(other.median / figures.median).toFixed(2)} / × ${(other.min / figures.min).toFixed(2)}` : '';
        return [phase, cell(figures), cell(other), ratio];
      }),
    ]),
  );
  const big = await bigRewriteFigures(RUNS);
  console.log(`\n4. diff when the template rewrote every line of a ${REWRITTEN_LINES.toLocaleString('en')}-line file`);
  console.log(
    table([
      ['what', 'median / min'],
      [`the patch alone (git diff-tree, ${(big.patchBytes / 1024).toFixed(0)} KiB)`, cell(big.patch)],
      ['template-drift diff, two such files (one merged), end to end', cell(big.diff)],
    ]),
  );
  console.log(`\nBuilding the ${large.files}-file repository (files + git add + commit) took ${ms(buildLarge)} ms; whole bench ${ms(performance.now() - started)} ms;`);
  console.log(`load average ${load()} at the end (other work on the machine shows up in the medians; mins are steadier).`);
}

isolateGit();
try {
  await main();
} finally {
  await removeTempDirs();
}
