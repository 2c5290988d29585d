/**
 * `npm run bench:fan-out`: one release of the built-in template fanned out to BENCH_REPOS
 * repositories (default 1,000: nine in ten one release behind, one in ten in line) on the local
 * GitHub, with the write budget off, by the app as its own processes (`dist/app/server.js` and
 * `dist/app/worker.js`; `npm run build` first), for each queue in BENCH_QUEUE (a comma-separated
 * list; all three by default, one after the other, each on a fresh local GitHub):
 * - `memory`: one web process, the in-process queue;
 * - `redis-1`, `redis-2`: the web process and one or two workers (`npm run worker`) sharing a
 *   redis-server the bench starts on a free loopback port and stops by its PID.
 * Each process runs TEMPLATE_DRIFT_CONCURRENCY jobs (BENCH_CONCURRENCY, default 4). Prints wall
 * time from the release to idle, API requests and git bytes per repository, writes, each
 * process's peak RSS (and the peaks of the first and last quarter of the run), the CPU each
 * process used (the local GitHub runs in the bench process, its git in children of it), and the
 * time GitHub's write budget (450 an hour) imposes on the same writes. It takes minutes; it
 * asserts nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isContentWrite } from '../src/github/budget-writes.js';
import { AppProcess, generateAppKey } from '../test/support/e2e/app-process.js';
import { LocalGitHub, type RecordedRequest } from '../test/support/local-github/index.js';
import { RedisServer } from '../test/support/redis-server.js';
import { builtinTemplate } from './builtin-template.js';
import { cli, git, isolateGit, removeTempDirs, tempDir } from './fixtures.js';
import { table } from './measure.js';
import { cpuSince, cpuTime, RssSampler, type CpuTime } from './process-usage.js';

const REPOS = Number(process.env.BENCH_REPOS ?? 1000);
const CONCURRENCY = process.env.BENCH_CONCURRENCY ?? '4';
const QUEUES = { memory: 0, 'redis-1': 1, 'redis-2': 2 } as const;
type Queue = keyof typeof QUEUES;
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

function repoOf(request: RecordedRequest): string | undefined {
  return /^\/(?:repos\/)?[^/]+\/([^/]+?)(?:\.git)?(?:\/|$)/.exec(request.path)?.[1];
}

function isWrite(request: RecordedRequest): boolean {
  if (/\.git\//.test(request.path)) return request.method === 'POST' && request.path.endsWith('/git-receive-pack');
  return isContentWrite(request.method, request.path);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

const cpuS = (cpu: CpuTime) => `${cpu.own.toFixed(0)} s + ${cpu.children.toFixed(0)} s`;

/** The repositories and the two service trees every run starts from. */
interface Fleet {
  readonly template: string;
  readonly behind: string;
  readonly inLine: string;
  readonly names: readonly string[];
}

const isInLine = (name: string) => Number(name.slice(4)) % IN_LINE_EVERY === 0;

/** Waits until every process is idle (its own pending work too), twice over: one's work makes webhooks for another. */
async function settleAll(github: LocalGitHub, processes: readonly AppProcess[]): Promise<void> {
  for (let round = 0; round < 2; round++) for (const app of processes) await app.settle(github, 4 * 3_600_000);
}

async function fanOut(queue: Queue, fleet: Fleet): Promise<void> {
  const privateKey = generateAppKey();
  const github = await LocalGitHub.start({ appId: 1, appKey: privateKey, webhookSecret: SECRET });
  const scratch = await tempDir(`fan-out-${queue}`);
  const redis = QUEUES[queue] > 0 ? await RedisServer.start() : undefined;
  const processes: AppProcess[] = [];
  try {
    github.install(OWNER, { id: 4242 });
    await github.createRepo(OWNER, TEMPLATE, { from: fleet.template });
    const setupStart = performance.now();
    for (const name of fleet.names) await github.createRepo(OWNER, name, { from: isInLine(name) ? fleet.inLine : fleet.behind });
    console.log(`\n[${queue}] ${REPOS} repositories made on the local GitHub in ${((performance.now() - setupStart) / 1000).toFixed(0)} s`);

    const options = {
      github, appId: 1, privateKey, webhookSecret: SECRET, cacheDir: join(scratch, 'cache'),
      env: { TEMPLATE_DRIFT_WRITES_PER_MINUTE: '0', TEMPLATE_DRIFT_WRITES_PER_HOUR: '0', TEMPLATE_DRIFT_CONCURRENCY: CONCURRENCY, ...(redis && { REDIS_URL: redis.url }) },
    };
    // Workers first: the web process takes the webhooks (AppProcess points the local GitHub at it).
    for (let i = 0; i < QUEUES[queue]; i++) processes.push(await AppProcess.start({ ...options, worker: true }));
    processes.unshift(await AppProcess.start(options));
    const labels = processes.map((_, i) => (i === 0 ? 'web' : `worker ${i}`));
    const pids = [...processes.map((app) => app.pid), ...(redis ? [redis.pid] : [])];
    const sampler = new RssSampler(pids);
    const cpuBefore = await Promise.all([...pids.map((pid) => cpuTime(pid)), cpuTime('self')]);
    const before = github.requests().length;
    sampler.start();
    const start = performance.now();
    await github.publishRelease(OWNER, TEMPLATE, 'v1.1.0', { body: 'bench' });
    await settleAll(github, processes);
    const wallS = (performance.now() - start) / 1000;
    sampler.stop();
    const cpu = (await Promise.all([...pids.map((pid) => cpuTime(pid)), cpuTime('self')])).map((after, i) => cpuSince(cpuBefore[i]!, after));
    const peaks = await Promise.all(processes.map((app) => app.peakMemory()));

    const requests = github.requests().slice(before);
    if (process.env.BENCH_DUMP) await writeFile(`${process.env.BENCH_DUMP}-${queue}.json`, JSON.stringify(requests.map((r) => ({ at: r.at, m: r.method, p: r.path, s: r.status }))));
    const behindNames = fleet.names.filter((name) => !isInLine(name));
    const per = (inLineRepos: boolean) => {
      const mine = requests.filter((r) => { const repo = repoOf(r); return repo?.startsWith('svc-') && isInLine(repo) === inLineRepos; });
      const count = fleet.names.filter((name) => isInLine(name) === inLineRepos).length;
      const api = mine.filter((r) => !/\.git\//.test(r.path)).length / count;
      const gitBytes = mine.filter((r) => /\.git\//.test(r.path)).reduce((sum, r) => sum + (r.bytesIn ?? 0) + (r.bytesOut ?? 0), 0) / count;
      return { api, gitBytes };
    };
    const [lined, behind] = [per(true), per(false)];
    const writes = requests.filter(isWrite).length;
    const budgetS = (writes / WRITES_PER_HOUR) * 3600;
    let opened = 0;
    for (const name of behindNames) opened += (await github.pulls(OWNER, name)).length > 0 ? 1 : 0;
    const usedS = cpu.reduce((sum, c) => sum + c.own + c.children, 0);

    const who = QUEUES[queue] === 0 ? 'the web process alone, in-process queue' : `the web process and ${QUEUES[queue]} worker${QUEUES[queue] > 1 ? 's' : ''} on Redis`;
    console.log(`[${queue}] fan-out of one release to ${REPOS} repositories (${behindNames.length} behind, ${REPOS - behindNames.length} in line), ${who}, TEMPLATE_DRIFT_CONCURRENCY ${CONCURRENCY} each, budget off`);
    console.log(`machine: ${cpus().length} cores, ${mb(totalmem())}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end; ${opened} update PRs opened\n`);
    console.log(table([
      ['what', 'figure'],
      ['wall time, release to idle', `${wallS.toFixed(0)} s (${((wallS * 1000) / REPOS).toFixed(0)} ms a repository)`],
      ['API requests per repository behind / in line', `${behind.api.toFixed(1)} / ${lined.api.toFixed(1)}`],
      ['git bytes per repository behind / in line', `${kb(behind.gitBytes)} / ${kb(lined.gitBytes)}`],
      ['content-creating requests (writes) in all', `${writes} (${(writes / Math.max(1, behindNames.length)).toFixed(1)} per repository behind)`],
      ...processes.map((app, i) => {
        const { first, last } = sampler.quarters(app.pid);
        return [`${labels[i]} peak RSS; peak in first / last quarter`, `${mb(peaks[i]!)}; ${mb(first)} / ${mb(last)}`];
      }),
      ...processes.map((_, i) => [`${labels[i]} CPU, its own + its git`, cpuS(cpu[i]!)]),
      ...(redis ? [['redis-server CPU', cpuS(cpu[processes.length]!)]] : []),
      ['local GitHub (bench process) CPU, its own + its git', cpuS(cpu[cpu.length - 1]!)],
      ['CPU used in all, of the cores × wall time', `${usedS.toFixed(0)} s of ${(cpus().length * wallS).toFixed(0)} s`],
      [`GitHub's write budget for those writes (${WRITES_PER_HOUR}/h)`, `${(budgetS / 3600).toFixed(1)} h`],
      ['our own work against it', `${((wallS / budgetS) * 100).toFixed(1)} % (must be under 5 %)`],
    ]));
  } finally {
    for (const app of processes) await app.stop();
    await redis?.stop();
    await github.stop();
  }
}

async function main(): Promise<void> {
  const queues = (process.env.BENCH_QUEUE ?? Object.keys(QUEUES).join(',')).split(',').map((name) => name.trim());
  const unknown = queues.filter((name) => !(name in QUEUES));
  if (unknown.length > 0) throw new Error(`BENCH_QUEUE: unknown ${unknown.join(', ')} (one or more of ${Object.keys(QUEUES).join(', ')})`);
  isolateGit();
  const builtin = await builtinTemplate();
  if (typeof builtin === 'string') throw new Error(builtin);
  try {
    const fleet: Fleet = {
      template: builtin.dir,
      behind: await serviceAt(builtin.dir, 'v1.0.0', builtin.variables),
      inLine: await serviceAt(builtin.dir, 'v1.1.0', builtin.variables),
      names: Array.from({ length: REPOS }, (_, i) => `svc-${String(i).padStart(4, '0')}`),
    };
    for (const queue of queues as Queue[]) await fanOut(queue, fleet);
  } finally {
    await removeTempDirs();
  }
}

await main();
