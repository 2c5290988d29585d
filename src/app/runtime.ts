import { join } from 'node:path';
import PQueue from 'p-queue';
import type { Probot, ProbotOctokit } from 'probot';
import type { GitBounds } from '../git/git-client.js';
import { GitMergeFile } from '../git/git-merge-file.js';
import { budgetWrites } from '../github/budget-writes.js';
import { OctokitPlatform } from '../github/octokit-platform.js';
import { RedisWriteBudget } from '../github/redis-write-budget.js';
import { InProcessWriteBudget, type WriteBudget } from '../github/write-budget.js';
import type { Platform, RepoId, RepositoryToken } from '../github/platform.js';
import { JobDeadlineError, JobDroppedError } from '../queue/job-errors.js';
import type { Job } from '../queue/job.js';
import type { JobQueue } from '../queue/job-queue.js';
import { LocalJobQueue } from '../queue/local-job-queue.js';
import { RedisJobQueue } from '../queue/redis-job-queue.js';
import type { Log } from '../workflows/log.js';
import type { FetchSettings } from '../workflows/open-template.js';
import type { UpdateDependencies } from '../workflows/update-repository.js';
import { gitProtocols } from '../engine/template-source-policy.js';
import type { FleetEntry } from '../engine/fleet-inventory.js';
import { templateKey } from '../engine/template-identity.js';
import { OctokitAppPlatform } from '../github/octokit-app-platform.js';
import type { SnapshotRenderer } from '../engine/render-snapshot.js';
import { sandboxedRenderer } from '../sandbox/sandboxed-renderer.js';
import { openAppTemplate } from '../workflows/open-template.js';
import { scanFleet } from '../workflows/scan-fleet.js';
import { createFleetTracker } from './fleet-runtime.js';
import { SharedAnswers } from './shared-answers.js';
import type { FleetTracker } from './fleet-tracker.js';
import { appHooksPolicy } from './hooks-policy.js';
import { DEFAULT_GIT_STALL_S, DEFAULT_JOB_TIMEOUT_S, DEFAULT_SHUTDOWN_GRACE_S, DEFAULT_TEMPLATE_SOURCES, type AppSettings } from './settings.js';

/**
 * A command's job answers after its update's deadline: this much longer, for the reply.
 * (Its update is stopped at the deadline; the answer says so.)
 */
const ANSWER_GRACE_MS = 30_000;

/**
 * The app's long-lived state, made once when Probot loads the app: the job queue, and one write
 * lane per installation. Nothing here is module-level, so tests get a fresh app each time.
 * Nothing a job needs lives here only: a worker in any process makes its own GitHub client from
 * the job's installation id.
 */
export class AppRuntime {
  readonly queue: JobQueue;
  /** The inventory between scans, and the `Template adoption` issues kept with it. */
  readonly fleet: FleetTracker;
  readonly merger = new GitMergeFile();
  /** Answers files read by a fan-out and a scan of one installation running at once, read once for both. */
  readonly sharedAnswers = new SharedAnswers();
  readonly jobTimeoutSeconds: number;
  /** Every template version the app renders, within the render limits (cookiecutter in a render process). */
  readonly render: SnapshotRenderer;
  private readonly writeLanes = new Map<number, { lane: PQueue; closed: AbortController }>();
  /** GitHub's write budget of the app: in Redis when the processes share one, else this process's. */
  readonly writeBudget: WriteBudget;

  constructor(private readonly app: Probot, readonly settings: AppSettings, queue?: JobQueue) {
    const limits = settings.writeLimits ?? [];
    this.writeBudget = settings.redisUrl ? new RedisWriteBudget(settings.redisUrl, settings.appId ?? 'app', limits) : new InProcessWriteBudget(limits);
    this.jobTimeoutSeconds = settings.jobTimeoutSeconds ?? DEFAULT_JOB_TIMEOUT_S;
    this.render = sandboxedRenderer(settings.renderLimits);
    this.queue = queue ?? this.createQueue();
    this.fleet = createFleetTracker(app, settings.fleet, settings.redisUrl, {
      scan: (installation) => this.scanInstallation(installation),
      platform: async (installation) => this.platform(await app.auth(installation), installation),
      installations: () => this.installations(),
      enqueue: (job) => this.queue.enqueue(job),
    });
  }

  /** BullMQ over Redis when REDIS_URL is set (shared by every process of the app), else this process's queue. */
  private createQueue(): JobQueue {
    const { settings } = this;
    const shared = { concurrency: settings.concurrency, deadlineMs: (job: Job) => this.deadlineMs(job), onError: (error: unknown, job: Job) => this.reportFailure(error, job) };
    if (!settings.redisUrl) {
      const retries = settings.jobRetries && {
        attempts: settings.jobRetries.attempts,
        backoffMs: settings.jobRetries.retryDelaySeconds * 1000,
        onRetry: (error: unknown, job: Job, attempt: number, delayMs: number) => this.app.log.warn({ err: error, job: jobFields(job), attempt, retryInSeconds: delayMs / 1000 }, 'queued job failed; it will be retried'),
      };
      return new LocalJobQueue({ ...shared, ...(settings.installationConcurrency && { perInstallation: settings.installationConcurrency }), ...(retries && { retries }) });
    }
    const retries = settings.jobRetries ?? { attempts: 5, retryDelaySeconds: 30, lockSeconds: 30 };
    const queue = new RedisJobQueue({
      ...shared, url: settings.redisUrl, log: this.app.log,
      attempts: retries.attempts, backoffMs: retries.retryDelaySeconds * 1000, lockMs: retries.lockSeconds * 1000,
    });
    void queue.checkRedis();
    return queue;
  }

  /**
   * Stops taking jobs; running ones get TEMPLATE_DRIFT_SHUTDOWN_GRACE_S to finish, then are handed
   * back (with Redis they run again in another process; in process, the next start's reconcile
   * queues them again). Then the Redis connections close.
   */
  async shutdown(): Promise<void> {
    await this.queue.close((this.settings.shutdownGraceSeconds ?? DEFAULT_SHUTDOWN_GRACE_S) * 1000);
    if (this.writeBudget instanceof RedisWriteBudget) await this.writeBudget.close();
  }

  get log(): Log {
    return this.app.log;
  }

  /** Every job's deadline; a command's a little longer, so it can still answer once its update was stopped. */
  deadlineMs(job: Job): number {
    return this.jobTimeoutSeconds * 1000 + (job.kind === 'sync-template' ? ANSWER_GRACE_MS : 0);
  }

  /**
   * A job that failed for good (or passed its deadline): logged with its record, never its token.
   * A failed update leaves its repository in a state only a scan can read.
   */
  reportFailure(error: unknown, job: Job): void {
    const fields = jobFields(job);
    if (job.kind === 'update') this.fleet.changed(job.installationId);
    if (error instanceof JobDeadlineError) this.app.log.warn({ job: fields, seconds: error.seconds }, 'queued job stopped at its deadline');
    else this.app.log.error({ err: error, job: fields }, 'queued job failed');
  }

  /**
   * GitHub for one job, made by the worker from the job's installation id (`app.auth` mints the
   * installation token; Octokit renews it). Once `signal` aborts, writes not yet started are refused.
   */
  async platformFor(installationId: number, signal: AbortSignal): Promise<Platform> {
    const octokit = await this.app.auth(installationId);
    return this.platform(octokit, installationId, signal);
  }

  /** What every update needs besides GitHub and its limits. */
  updateDependencies(installationId: number, platform: Platform, signal: AbortSignal, log: Log): UpdateDependencies {
    return {
      platform, fetching: this.fetchSettings(installationId), committer: this.settings.committer, merger: this.merger, log,
      git: this.gitBounds(signal),
      render: this.render,
      hooks: appHooksPolicy(this.settings),
    };
  }

  /** The git limits of one job: the stall limit, and its deadline through `signal`. */
  gitBounds(signal: AbortSignal): GitBounds {
    return { stallSeconds: this.settings.gitStallSeconds ?? DEFAULT_GIT_STALL_S, signal };
  }

  /**
   * The app lost access to an installation (deleted, suspended) or to some of its repositories:
   * their queued work is cancelled, running work is stopped, and a gone installation's write lane
   * is closed (writes still queued in it are refused).
   */
  async forget(installationId: number, repositories?: readonly string[]): Promise<number> {
    const dropped = await this.queue.drop(installationId, repositories);
    if (!repositories) {
      this.writeLanes.get(installationId)?.closed.abort(new JobDroppedError());
      this.writeLanes.delete(installationId);
      void this.fleet.forget(installationId).catch(() => undefined);
    }
    return dropped;
  }

  /**
   * Each installation has its own template cache: what one fetched with its rights is never
   * served to another (the README's security model says why there is an access check too).
   */
  fetchSettings(installationId: number): FetchSettings {
    return {
      cacheDir: join(this.settings.cacheDir, 'installations', String(installationId)),
      sources: this.settings.templateSources ?? DEFAULT_TEMPLATE_SOURCES,
      gitProtocols: this.settings.gitProtocols ?? gitProtocols(this.settings.templateSources ?? DEFAULT_TEMPLATE_SOURCES),
    };
  }

  /**
   * The inventory of one installation, read from GitHub by the reconcile scan (no clone of any
   * service; each template opened once, from this installation's cache and under its access check).
   */
  private async scanInstallation(installationId: number): Promise<FleetEntry[]> {
    const platform = this.platform(await this.app.auth(installationId), installationId);
    const fetching = this.fetchSettings(installationId);
    const scan = await this.sharedAnswers.reading(installationId, platform, (readAnswers) => scanFleet({
      platform, readAnswers,
      log: this.app.log,
      openTemplate: async (source) => {
        const template = await openAppTemplate(platform, source, fetching);
        // GitHub's spelling of the repository; a template on another allowed host keeps its source's.
        const name = template.repoId ? `${template.repoId.owner}/${template.repoId.repo}` : templateKey(source) ?? source;
        return { name, repository: template.repository };
      },
      render: this.render,
    }));
    for (const failure of scan.failures) this.app.log.warn({ installation: installationId, repo: failure.repo, problem: failure.message }, 'fleet scan could not read a repository');
    return scan.entries;
  }

  /** Every installation of the app, asked as the app itself. */
  async installations(): Promise<number[]> {
    return (await this.appPlatform()).installations();
  }

  /** The app's own platform (its JWT): installations, webhook deliveries. */
  async appPlatform(): Promise<OctokitAppPlatform> {
    return new OctokitAppPlatform(await this.app.auth());
  }

  /**
   * GitHub for one installation. With a job's `signal`, a write the job has not started yet is
   * refused once the job is stopped, so a job past its deadline changes nothing more.
   */
  private platform(octokit: ProbotOctokit, installationId: number, signal?: AbortSignal): Platform {
    budgetWrites(octokit, this.writeBudget, this.app.log);
    return new OctokitPlatform({
      octokit,
      writeBudget: this.writeBudget,
      createToken: (repo, access) => this.repositoryToken(installationId, repo, access),
      serializeWrite: (write) => {
        const { lane, closed } = this.writeLane(installationId);
        // Checked when the write's turn comes, not by p-queue's signal, which frees the lane
        // while an aborted write is still in flight.
        return lane.add(() => {
          closed.signal.throwIfAborted();
          signal?.throwIfAborted();
          return write();
        });
      },
    });
  }

  /** An installation token for one repository, with only the permissions the job needs. */
  private async repositoryToken(installationId: number, repo: RepoId, access: 'read' | 'write'): Promise<RepositoryToken> {
    const appOctokit = await this.app.auth();
    const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
      installation_id: installationId,
      repositories: [repo.repo],
      permissions: access === 'write' ? { contents: 'write', workflows: 'write' } : { contents: 'read' },
    });
    return { token: data.token, expiresAt: new Date(data.expires_at) };
  }

  private writeLane(installationId: number): { lane: PQueue; closed: AbortController } {
    let entry = this.writeLanes.get(installationId);
    if (!entry) {
      entry = { lane: new PQueue({ concurrency: 1 }), closed: new AbortController() };
      this.writeLanes.set(installationId, entry);
    }
    return entry;
  }
}

/** A job as the log shows it (a job carries no token). */
function jobFields(job: Job): Record<string, unknown> {
  return { kind: job.kind, installation: job.installationId, ...('repo' in job && { repository: `${job.repo.owner}/${job.repo.repo}` }), reason: job.reason };
}
