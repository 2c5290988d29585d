import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTemplateDrift } from '../run-cli.js';
import { git, writeTree, type Tree } from '../git-tree.js';
import type { LocalGitHub, PullSummary } from '../local-github/index.js';
import { AppProcess, generateAppKey, type AppProcessOptions } from './app-process.js';
import { LocalGitHub as LocalGitHubServer } from '../local-github/index.js';
import { RedisServer } from '../redis-server.js';

export const OWNER = 'acme';
export const INSTALLATION = 4242;
const WEBHOOK_SECRET = 'e2e-webhook-secret';

/**
 * Everything an end-to-end run needs: the local GitHub with the app installed on the `acme`
 * organisation, and the app running as its own process against it.
 */
export class World {
  private constructor(
    readonly github: LocalGitHub,
    private current: AppProcess,
    readonly scratch: string,
    private readonly appOptions: AppProcessOptions,
    /** With `redis: true`: the Redis the app's processes share (REDIS_URL). */
    readonly redis?: RedisServer,
  ) {}

  /** `npm run worker` processes started by `startWorker`, stopped with the World. */
  private readonly workers: AppProcess[] = [];

  /** Stops (SIGTERM) every worker started so far. */
  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.stop()));
  }

  /** Starts a worker process (with `redis: true`): same credentials and settings (plus `env`). */
  async startWorker(env: Readonly<Record<string, string>> = {}): Promise<AppProcess> {
    const worker = await AppProcess.start({ ...this.appOptions, worker: true, env: { ...this.appOptions.env, ...env } });
    this.workers.push(worker);
    return worker;
  }

  /** The app process running now (`restartApp` starts another). */
  get app(): AppProcess {
    return this.current;
  }

  /** Starts the app again, as after a deploy or a crash: same credentials, cache and settings (plus `env`). */
  async restartApp(env: Readonly<Record<string, string>> = {}): Promise<AppProcess> {
    await this.current.stop();
    this.current = await AppProcess.start({ ...this.appOptions, env: { ...this.appOptions.env, ...env } });
    return this.current;
  }

  /**
   * A second process of the app beside the first, with the same credentials and settings (plus
   * `env`), as a deployment with several web servers runs it. Webhooks still go to the first; the
   * caller stops the second.
   */
  async startAnotherApp(env: Readonly<Record<string, string>> = {}): Promise<AppProcess> {
    const webhookUrl = this.github.webhookUrl;
    const another = await AppProcess.start({ ...this.appOptions, env: { ...this.appOptions.env, ...env } });
    this.github.webhookUrl = webhookUrl;
    return another;
  }

  /** `env`: the app's own settings for this World (e.g. TEMPLATE_DRIFT_WRITES_PER_MINUTE, the fleet views'). */
  static async start(options: { env?: Readonly<Record<string, string>>; redis?: boolean } = {}): Promise<World> {
    const scratch = await mkdtemp(join(tmpdir(), 'td-e2e-'));
    const redis = options.redis ? await RedisServer.start() : undefined;
    const privateKey = generateAppKey();
    const github = await LocalGitHubServer.start({ appId: 1, appKey: privateKey, webhookSecret: WEBHOOK_SECRET, validateResponses: true });
    github.install(OWNER, { id: INSTALLATION });
    const appOptions: AppProcessOptions = { github, appId: 1, privateKey, webhookSecret: WEBHOOK_SECRET, cacheDir: join(scratch, 'app-cache'),
      // The Template adoption issue and the reconcile scan read the whole installation: off unless a
      // test asks for them, so the other runs' request counts and injected faults meet only what they test.
      env: { TEMPLATE_DRIFT_DASHBOARD_ISSUE: 'false', TEMPLATE_DRIFT_RECONCILE_HOURS: '0', ...(redis && { REDIS_URL: redis.url }), ...options.env } };
    return new World(github, await AppProcess.start(appOptions), scratch, appOptions, redis);
  }

  async stop(): Promise<void> {
    await Promise.all([this.app.stop(), ...this.workers.map((worker) => worker.stop())]);
    await this.github.stop();
    await this.redis?.stop();
    await rm(this.scratch, { recursive: true, force: true });
  }

  /** Waits for the app (and the webhooks its own actions cause) to finish. */
  settle(timeoutMs?: number): Promise<void> {
    return this.app.settle(this.github, timeoutMs);
  }

  /** A template repository on the local GitHub: `files` committed and tagged `tag`. */
  async publishTemplate(name: string, files: Tree, tag = 'v1.0.0', owner = OWNER): Promise<string> {
    const dir = await mkdtemp(join(this.scratch, 'template-'));
    await git(dir, 'init', '--quiet', '--initial-branch=main');
    await writeTree(dir, files);
    await git(dir, 'add', '--all');
    await git(dir, 'commit', '--quiet', '-m', `Release ${tag}`);
    await git(dir, 'tag', '-a', tag, '-m', tag);
    await this.github.createRepo(owner, name, { from: dir });
    return dir;
  }

  /**
   * A service made from the template with the real CLI (`init` at `ref`), its answers naming the
   * template as owner/repo, then `edits` committed by a person, pushed to the local GitHub.
   */
  async createService(name: string, template: string, options: { ref: string; vars: Record<string, string>; edits?: Tree; owner?: string }): Promise<string> {
    const owner = options.owner ?? OWNER;
    const parent = await mkdtemp(join(this.scratch, 'service-'));
    const templateUrl = this.github.cloneUrl(owner, template);
    const args = ['init', name, '--template', templateUrl, '--ref', options.ref, ...Object.entries(options.vars).flatMap(([k, v]) => ['--var', `${k}=${v}`])];
    const init = await runTemplateDrift(args, { cwd: parent, cacheDir: join(this.scratch, 'cli-cache') });
    if (init.code !== 0) throw new Error(`template-drift init failed: ${init.stderr}`);
    const dir = join(parent, name);
    const answersPath = join(dir, '.github/template-drift.yml');
    await writeFile(answersPath, (await readFile(answersPath, 'utf8')).replace(/^template: .*$/m, `template: ${owner}/${template}`));
    await git(dir, 'init', '--quiet', '--initial-branch=main');
    await git(dir, 'add', '--all');
    await git(dir, 'commit', '--quiet', '-m', `Create ${name} from ${template} ${options.ref}`);
    if (options.edits) {
      await writeTree(dir, options.edits);
      await git(dir, 'add', '--all');
      await git(dir, 'commit', '--quiet', '-m', 'Local customisations');
    }
    await this.github.createRepo(owner, name, { from: dir });
    return dir;
  }

  /** Services `names`, all made as the first is (one `init`, the same commit pushed to each): a fleet, quickly. */
  async createServices(names: readonly string[], template: string, options: { ref: string; vars: Record<string, string> }): Promise<void> {
    const [first, ...rest] = names;
    if (first === undefined) return;
    const dir = await this.createService(first, template, options);
    for (const name of rest) await this.github.createRepo(OWNER, name, { from: dir });
  }

  /** A template at v1.0.0, one service made from it, and the update PR the app opens for v1.1.0. */
  async serviceWithUpdatePull(template: string, service: string, files: { v1: Tree; v1_1: Tree }): Promise<PullSummary> {
    await this.publishTemplate(template, files.v1);
    await this.createService(service, template, { ref: 'v1.0.0', vars: { service_name: service.replace(/[^a-z0-9]/g, '') } });
    await this.releaseTemplate(template, 'v1.1.0', files.v1_1, 'the first update');
    await this.settle();
    const [pull] = await this.github.pulls(OWNER, service);
    if (!pull) throw new Error(`the app opened no PR in ${service}`);
    return pull;
  }

  /** Commits `files` to the template's main branch, tags it and publishes the release (webhook). */
  async releaseTemplate(template: string, tag: string, files: Tree, notes: string, owner = OWNER): Promise<void> {
    await this.github.commit(owner, template, 'main', toChanges(files), { message: `Release ${tag}` });
    await this.github.publishRelease(owner, template, tag, { body: notes });
  }
}

function toChanges(tree: Tree): Parameters<LocalGitHub['commit']>[3] {
  const changes: Record<string, string | Buffer | null | { content: string | Buffer; executable?: boolean }> = {};
  for (const [path, spec] of Object.entries(tree)) {
    if (spec !== null && typeof spec === 'object' && !Buffer.isBuffer(spec) && 'symlink' in spec) throw new Error('symlinks are not released here');
    changes[path] = spec;
  }
  return changes;
}
