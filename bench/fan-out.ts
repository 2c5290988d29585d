/**
 * `npm run bench:fan-out`: one release of the built-in template fanned out to BENCH_REPOS
 * repositories (default 1,000: nine in ten one release behind, one in ten in line) on the local
 * GitHub, by the app as its own process (`dist/app/server.js`, `npm run build` first) with the
 * write budget off. Prints wall time, API requests and git bytes per repository, the app's peak
 * RSS (and whether it grew through the run), and the time GitHub's write budget (450 an hour)
 * imposes on the same writes. It takes minutes; it asserts nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isContentWrite } from '../src/github/budget-writes.js';
import { AppProcess, generateAppKey } from '../test/support/e2e/app-process.js';
import { LocalGitHub, type RecordedRequest } from '../test/support/local-github/index.js';
import { builtinTemplate } from './builtin-template.js';
import { cli, git, isolateGit, removeTempDirs, tempDir } from './fixtures.js';
import { table } from './measure.js';

const REPOS = Number(process.env.BENCH_REPOS ?? 1000);
const IN_LINE_EVERY = 10;
const OWNER = 'acme';
const TEMPLATE = 'django-service';
/** GitHub's budget this app keeps to by default: TEMPLATE_DRIFT_WRITES_PER_HOUR. */
const WRITES_PER_HOUR = 450;
const SECRET = 'bench-webhook-secret';

/** A service made with the CLI at `ref`, its answers naming the template on the local GitHub, as a git repository. */
async function serviceAt(templateDir: string, ref: string, variables: Record<string, string>): Promise<string> {
  const cwd = await tempDir(`fan-out-${ref}`);
  const dir = join(cwd, 'svc');
  await cli(['init', dir, '--template', templateDir, '--ref', ref, ...Object.entries(variables).flatMap(([k, v]) => ['--var', `${k}=${v}`])], { cwd, cacheDir: join(cwd, 'cache') });
  const answers = join(dir, '.github/template-drift.yml');
  await writeFile(answers, (await readFile(answers, 'utf8')).replace(/^template: .*$/m, `template: ${OWNER}/${TEMPLATE}`));
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '-m', `service from ${TEMPLATE} ${ref}`);
  return dir;
}

/** The app's resident set now (VmRSS), in bytes. */
async function rss(pid: number): Promise<number> {
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kilobytes ?? 0) * 1024;
}

function repoOf(request: RecordedRequest): string | undefined {
  return /^\/(?:repos\/)?[^/]+\/([^/]+?)(?:\.git)?(?:\/|$)/.exec(request.path)?.[1];
}

function isWrite(request: RecordedRequest): boolean {
  if (/\.git\//.test(request.path)) return request.method === 'POST' && request.path.endsWith('/git-receive-pack');
  return isContentWrite(request.method, request.path);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

async function main(): Promise<void> {
  isolateGit();
  const builtin = await builtinTemplate();
  if (typeof builtin === 'string') throw new Error(builtin);
  const privateKey = generateAppKey();
  const github = await LocalGitHub.start({ appId: 1, appKey: privateKey, webhookSecret: SECRET });
  const scratch = await tempDir('fan-out-app');
  let app: AppProcess | undefined;
  try {
    github.install(OWNER, { id: 4242 });
    await github.createRepo(OWNER, TEMPLATE, { from: builtin.dir });
    const behind = await serviceAt(builtin.dir, 'v1.0.0', builtin.variables);
    const inLine = await serviceAt(builtin.dir, 'v1.1.0', builtin.variables);
    const names = Array.from({ length: REPOS }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
    const isInLine = (name: string) => Number(name.slice(4)) % IN_LINE_EVERY === 0;
    const setupStart = performance.now();
    for (const name of names) await github.createRepo(OWNER, name, { from: isInLine(name) ? inLine : behind });
    console.log(`${REPOS} repositories made on the local GitHub in ${((performance.now() - setupStart) / 1000).toFixed(0)} s`);

    app = await AppProcess.start({
      github, appId: 1, privateKey, webhookSecret: SECRET, cacheDir: join(scratch, 'cache'),
      env: { TEMPLATE_DRIFT_WRITES_PER_MINUTE: '0', TEMPLATE_DRIFT_WRITES_PER_HOUR: '0' },
    });
    const pid = app.pid;
    const samples: number[] = [];
    const sampler = setInterval(() => void rss(pid).then((bytes) => samples.push(bytes)), 1000);
    const before = github.requests().length;
    const start = performance.now();
    await github.publishRelease(OWNER, TEMPLATE, 'v1.1.0', { body: 'bench' });
    await app.settle(github, 3_600_000);
    const wallS = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const peak = await app.peakMemory();

    const requests = github.requests().slice(before);
    const per = (inLineRepos: boolean) => {
      const mine = requests.filter((r) => { const repo = repoOf(r); return repo?.startsWith('svc-') && isInLine(repo) === inLineRepos; });
      const count = names.filter((name) => isInLine(name) === inLineRepos).length;
      const api = mine.filter((r) => !/\.git\//.test(r.path)).length / count;
      const gitBytes = mine.filter((r) => /\.git\//.test(r.path)).reduce((sum, r) => sum + (r.bytesIn ?? 0) + (r.bytesOut ?? 0), 0) / count;
      return { api, gitBytes, writes: mine.filter(isWrite).length };
    };
    const [lined, behindFigures] = [per(true), per(false)];
    const writes = requests.filter(isWrite).length;
    const budgetS = (writes / WRITES_PER_HOUR) * 3600;
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const [early, late] = [Math.max(...samples.slice(0, quarter)), Math.max(...samples.slice(-quarter))];
    let opened = 0;
    for (const name of names.filter((n) => !isInLine(n))) opened += (await github.pulls(OWNER, name)).length > 0 ? 1 : 0;

    console.log(`\nfan-out of one release to ${REPOS} repositories (${names.filter((n) => !isInLine(n)).length} behind, ${names.filter(isInLine).length} in line), in-process queue, budget off`);
    console.log(`machine: ${cpus().length} cores, ${mb(totalmem())}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${opened} update PRs opened\n`);
    console.log(table([
      ['what', 'figure'],
      ['wall time, release to idle', `${wallS.toFixed(0)} s (${((wallS * 1000) / REPOS).toFixed(0)} ms a repository)`],
      ['API requests per repository behind / in line', `${behindFigures.api.toFixed(1)} / ${lined.api.toFixed(1)}`],
      ['git bytes per repository behind / in line', `${kb(behindFigures.gitBytes)} / ${kb(lined.gitBytes)}`],
      ['content-creating requests (writes) in all', `${writes} (${(writes / Math.max(1, REPOS - names.filter(isInLine).length)).toFixed(1)} per repository behind)`],
      ['app peak RSS; RSS peak in first / last quarter', `${mb(peak)}; ${mb(early)} / ${mb(late)}`],
      [`GitHub's write budget for those writes (${WRITES_PER_HOUR}/h)`, `${(budgetS / 3600).toFixed(1)} h`],
      ['our own work against it', `${((wallS / budgetS) * 100).toFixed(1)} % (must be under 5 %)`],
    ]));
  } finally {
    await app?.stop();
    await github.stop();
    await removeTempDirs();
  }
}

await main();
