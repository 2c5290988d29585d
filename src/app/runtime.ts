import { join } from 'node:path';
import PQueue from 'p-queue';
import type { Probot, ProbotOctokit } from 'probot';
import type { GitBounds } from '../git/git-client.js';
import { GitMergeFile } from '../git/git-merge-file.js';
import { budgetWrites } from '../github/budget-writes.js';
import { OctokitPlatform } from '../github/octokit-platform.js';
import { RedisWriteBudget } from '../github/redis-write-budget.js';
import { InProcessWriteBudget, type WriteBudget } from '../github/write-budget.js';
import type { Platform, RepoId } from '../github/platform.js';
import { InProcessQueue } from '../queue/in-process-queue.js';
import { JobDeadlineError, JobDroppedError } from '../queue/job-errors.js';
import type { WorkQueue } from '../queue/work-queue.js';
import type { Log } from '../workflows/log.js';
import type { FetchSettings } from '../workflows/open-template.js';
import { updateRepository, type UpdateOutcome, type UpdateRequest } from '../workflows/update-repository.js';
import { onboardRepository, type OnboardingOutcome, type OnboardingRequest } from '../workflows/onboard-repository.js';
import { gitProtocols } from '../engine/template-source-policy.js';
import type { FleetEntry } from '../engine/fleet-inventory.js';
import { OctokitAppPlatform } from '../github/octokit-app-platform.js';
import { openAppTemplate } from '../workflows/open-template.js';
import { scanFleet } from '../workflows/scan-fleet.js';
import { templateKey } from '../engine/template-identity.js';
import { createFleetTracker } from './fleet-runtime.js';
import type { FleetTracker } from './fleet-tracker.js';
import { DEFAULT_GIT_STALL_S, DEFAULT_JOB_TIMEOUT_S, DEFAULT_TEMPLATE_SOURCES, type AppSettings } from './settings.js';

/** The queue key of fleet jobs: no repository is named without a slash. */
const FLEET_JOB_KEY = '(fleet)';

/** What one event's handler needs: GitHub for its installation, and the way to queue work. */
export interface EventScope {
  readonly platform: Platform;
  /** GitHub for one queued job: once `signal` aborts (the job was stopped), its writes are refused. */
  platformFor(signal: AbortSignal): Platform;
  readonly log: Log;
  /** How templates are fetched for this installation (its own cache, the source policy). */
  readonly fetching: FetchSettings;
  /** Queues the update of one repository (serialized per repository) and resolves with its outcome. */
  update(request: UpdateRequest): Promise<UpdateOutcome>;
  /** Queues the onboarding of a repository made with "Use this template", serialized with its updates. */
  onboard(request: OnboardingRequest): Promise<OnboardingOutcome>;
}

/**
 * The app's long-lived state, made once when Probot loads the app: the work queues and one write
 * lane per installation. Nothing here is module-level, so tests get a fresh app each time.
 */
export class AppRuntime {
  /** Updates and release fan-outs: each has the job deadline. Also the app-wide view (status, idle). */
  readonly queue: WorkQueue;
  /**
   * Jobs that wait for an update's outcome (a command's answer, a push's refresh) run here,
   * not among the updates: one holding an update slot while its update waits for a slot
   * deadlocks the app as soon as every slot is held by such a job. They have no deadline of
   * their own: the update they wait for has one.
   */
  readonly waiting: WorkQueue;
  /** The inventory between scans, and the `Template adoption` issues kept with it. */
  readonly fleet: FleetTracker;
  private readonly writeLanes = new Map<number, { lane: PQueue; closed: AbortController }>();
  private readonly merger = new GitMergeFile();
  private readonly jobTimeoutSeconds: number;
  /** GitHub's write budget of the app: in Redis when the processes share one, else this process's. */
  readonly writeBudget: WriteBudget;

  constructor(private readonly app: Probot, readonly settings: AppSettings) {
    const limits = settings.writeLimits ?? [];
    this.writeBudget = settings.redisUrl ? new RedisWriteBudget(settings.redisUrl, settings.appId ?? 'app', limits) : new InProcessWriteBudget(limits);
    const onError = (error: unknown, job: object) => {
      if (error instanceof JobDeadlineError) app.log.warn({ job, seconds: error.seconds }, 'queued job stopped at its deadline');
      else app.log.error({ err: error, job }, 'queued job failed');
    };
    this.jobTimeoutSeconds = settings.jobTimeoutSeconds ?? DEFAULT_JOB_TIMEOUT_S;
    const shared = { concurrency: settings.concurrency, onError, ...(settings.installationConcurrency && { perInstallation: settings.installationConcurrency }) };
    const updates = new InProcessQueue({ ...shared, timeoutMs: this.jobTimeoutSeconds * 1000 });
    this.waiting = new InProcessQueue(shared);
    // `queue` is idle only when both are: waiting jobs only add updates, so they are awaited first.
    this.queue = {
      enqueue: (job) => updates.enqueue(job),
      drop: (installation, repositories) => this.waiting.drop(installation, repositories) + updates.drop(installation, repositories),
      onIdle: async () => {
        await this.waiting.onIdle();
        await updates.onIdle();
      },
      stats: () => {
        const [a, b] = [this.waiting.stats(), updates.stats()];
        // A dashboard refresh waiting for its interval is work in hand too.
        return { waiting: a.waiting + b.waiting + this.fleet.pending(), running: a.running + b.running };
      },
    };
    this.fleet = createFleetTracker(app, settings.fleet, settings.redisUrl, {
      scan: (installation) => this.scanInstallation(installation),
      platform: async (installation) => this.platform(await app.auth(installation), installation),
      installations: () => this.installations(),
      enqueue: (installation, name, job) => void this.queue.enqueue({ installation, repository: FLEET_JOB_KEY, name, run: job }),
    });
  }

  scope(octokit: ProbotOctokit, installationId: number, log: Log): EventScope {
    const fetching = this.fetchSettings(installationId);
    const deps = {
      fetching, committer: this.settings.committer, merger: this.merger, log,
      ...(this.settings.renderLimits && { renderLimits: this.settings.renderLimits }),
    };
    return {
      platform: this.platform(octokit, installationId),
      platformFor: (signal) => this.platform(octokit, installationId, signal),
      log,
      fetching,
      update: async (request) => {
        let outcome: UpdateOutcome | undefined;
        try {
          await this.queue.enqueue({
            installation: installationId,
            repository: `${request.repo.owner}/${request.repo.repo}`,
            name: `update:${request.reason}`,
            run: async (signal) => {
              outcome = await updateRepository(request, { ...deps, platform: this.platform(octokit, installationId, signal), git: this.gitBounds(signal) });
            },
          });
        } catch (error) {
          this.fleet.changed(installationId);
          if (!(error instanceof JobDeadlineError)) throw error;
          return {
            kind: 'failed',
            message: `The update took longer than the ${error.seconds} s one update may take (TEMPLATE_DRIFT_JOB_TIMEOUT_S) and was stopped; `
              + 'the next release, push or `/sync-template` tries again.',
          };
        }
        if (!outcome) throw new Error('the update finished without an outcome');
        void this.fleet.afterUpdate(installationId, request.repo, outcome).catch((error: unknown) => log.warn({ err: error }, 'could not record the update in the fleet'));
        return outcome;
      },
      onboard: async (request) => {
        let outcome: OnboardingOutcome | undefined;
        await this.queue.enqueue({
          installation: installationId,
          repository: `${request.repo.owner}/${request.repo.repo}`,
          name: 'onboard',
          run: async (signal) => {
            outcome = await onboardRepository(request, { ...deps, platform: this.platform(octokit, installationId, signal), git: this.gitBounds(signal) });
          },
        });
        if (!outcome) throw new Error('the onboarding finished without an outcome');
        return outcome;
      },
    };
  }

  /** Queues a job on one repository's lane, after the updates already queued for it. */
  enqueueForRepository(installationId: number, repo: RepoId, name: string, job: () => Promise<void>): void {
    void this.queue.enqueue({ installation: installationId, repository: `${repo.owner}/${repo.repo}`, name, run: job });
  }

  /**
   * Runs `job` in `ms`, in this process: a restart forgets it (the reconcile scan then finds the
   * repositories still behind). The timer does not keep the process alive.
   */
  later(ms: number, job: () => Promise<void>): void {
    setTimeout(() => void job().catch((error: unknown) => this.app.log.error({ err: error }, 'delayed job failed')), ms).unref();
  }

  /** A fresh Octokit for an installation, for work that runs long after its event (tokens expire). */
  installationOctokit(installationId: number): Promise<ProbotOctokit> {
    return this.app.auth(installationId);
  }

  /**
   * The inventory of one installation, read from GitHub by the reconcile scan (no clone of any
   * service; each template opened once, from this installation's cache and under its access check).
   */
  private async scanInstallation(installationId: number): Promise<FleetEntry[]> {
    const platform = this.platform(await this.app.auth(installationId), installationId);
    const fetching = this.fetchSettings(installationId);
    const scan = await scanFleet({
      platform,
      log: this.app.log,
      openTemplate: async (source) => {
        const template = await openAppTemplate(platform, source, fetching);
        // GitHub's spelling of the repository; a template on another allowed host keeps its source's.
        const name = template.repoId ? `${template.repoId.owner}/${template.repoId.repo}` : templateKey(source) ?? source;
        return { name, repository: template.repository };
      },
      ...(this.settings.renderLimits && { renderLimits: this.settings.renderLimits }),
    });
    for (const failure of scan.failures) this.app.log.warn({ installation: installationId, repo: failure.repo, problem: failure.message }, 'fleet scan could not read a repository');
    return scan.entries;
  }

  /** Every installation of the app, asked as the app itself. */
  private async installations(): Promise<number[]> {
    return new OctokitAppPlatform(await this.app.auth()).installations();
  }

  /** The git limits of one job: the stall limit, and its deadline through `signal`. */
  gitBounds(signal: AbortSignal): GitBounds {
    return { stallSeconds: this.settings.gitStallSeconds ?? DEFAULT_GIT_STALL_S, signal };
  }

  /**
   * The app lost access to an installation (deleted, suspended) or to some of its repositories:
   * their queued work is dropped, running work is stopped, and a gone installation's write lane
   * is closed (writes still queued in it are refused).
   */
  forget(installationId: number, repositories?: readonly string[]): number {
    const dropped = this.queue.drop(installationId, repositories);
    if (!repositories) {
      this.writeLanes.get(installationId)?.closed.abort(new JobDroppedError());
      this.writeLanes.delete(installationId);
      void this.fleet.forget(installationId).catch(() => undefined);
    }
    return dropped;
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

  /**
   * Each installation has its own template cache: what one fetched with its rights is never
   * served to another (the README's security model says why there is an access check too).
   */
  private fetchSettings(installationId: number): FetchSettings {
    return {
      cacheDir: join(this.settings.cacheDir, 'installations', String(installationId)),
      sources: this.settings.templateSources ?? DEFAULT_TEMPLATE_SOURCES,
      gitProtocols: this.settings.gitProtocols ?? gitProtocols(this.settings.templateSources ?? DEFAULT_TEMPLATE_SOURCES),
    };
  }

  /** An installation token for one repository, with only the permissions the job needs. */
  private async repositoryToken(installationId: number, repo: RepoId, access: 'read' | 'write'): Promise<string> {
    const appOctokit = await this.app.auth();
    const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
      installation_id: installationId,
      repositories: [repo.repo],
      permissions: access === 'write' ? { contents: 'write', workflows: 'write' } : { contents: 'read' },
    });
    return data.token;
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
