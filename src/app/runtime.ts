import PQueue from 'p-queue';
import type { Probot, ProbotOctokit } from 'probot';
import { GitMergeFile } from '../git/git-merge-file.js';
import { OctokitPlatform } from '../github/octokit-platform.js';
import type { Platform, RepoId } from '../github/platform.js';
import { InProcessQueue } from '../queue/in-process-queue.js';
import type { WorkQueue } from '../queue/work-queue.js';
import type { Log } from '../workflows/log.js';
import { updateRepository, type UpdateOutcome, type UpdateRequest } from '../workflows/update-repository.js';
import type { AppSettings } from './settings.js';

/** What one event's handler needs: GitHub for its installation, and the way to queue work. */
export interface EventScope {
  readonly platform: Platform;
  readonly log: Log;
  /** Queues the update of one repository (serialized per repository) and resolves with its outcome. */
  update(request: UpdateRequest): Promise<UpdateOutcome>;
}

/**
 * The app's long-lived state, made once when Probot loads the app: the work queue and one write
 * lane per installation. Nothing here is module-level, so tests get a fresh app each time.
 */
export class AppRuntime {
  readonly queue: WorkQueue;
  /**
   * Jobs that wait for an update's outcome (a command's answer, a push's refresh) run here,
   * not in `queue`: one holding a `queue` slot while its update waits for a slot deadlocks
   * the app as soon as every slot is held by such a job.
   */
  readonly waiting: WorkQueue;
  private readonly writeLanes = new Map<number, PQueue>();
  private readonly merger = new GitMergeFile();

  constructor(private readonly app: Probot, readonly settings: AppSettings) {
    const onError = (error: unknown, job: object) => app.log.error({ err: error, job }, 'queued job failed');
    const updates = new InProcessQueue({ concurrency: settings.concurrency, onError });
    this.waiting = new InProcessQueue({ concurrency: settings.concurrency, onError });
    // `queue` is idle only when both are: waiting jobs only add updates, so they are awaited first.
    this.queue = {
      enqueue: (key, name, job) => updates.enqueue(key, name, job),
      onIdle: async () => {
        await this.waiting.onIdle();
        await updates.onIdle();
      },
      stats: () => {
        const [a, b] = [this.waiting.stats(), updates.stats()];
        return { waiting: a.waiting + b.waiting, running: a.running + b.running };
      },
    };
  }

  scope(octokit: ProbotOctokit, installationId: number, log: Log): EventScope {
    const platform = new OctokitPlatform({
      octokit,
      createToken: (repo, access) => this.repositoryToken(installationId, repo, access),
      serializeWrite: (write) => this.writeLane(installationId).add(write),
    });
    const deps = { platform, cacheDir: this.settings.cacheDir, committer: this.settings.committer, merger: this.merger, log };
    return {
      platform,
      log,
      update: (request) => new Promise<UpdateOutcome>((resolve, reject) => {
        this.queue.enqueue(repoKey(installationId, request.repo), `update:${request.reason}`, async () => {
          try {
            resolve(await updateRepository(request, deps));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
            throw error;
          }
        });
      }),
    };
  }

  /** Queues a job on one repository's lane, after the updates already queued for it. */
  enqueueForRepository(installationId: number, repo: RepoId, name: string, job: () => Promise<void>): void {
    this.queue.enqueue(repoKey(installationId, repo), name, job);
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

  private writeLane(installationId: number): PQueue {
    let lane = this.writeLanes.get(installationId);
    if (!lane) {
      lane = new PQueue({ concurrency: 1 });
      this.writeLanes.set(installationId, lane);
    }
    return lane;
  }
}

export function repoKey(installationId: number, repo: RepoId): string {
  return `${installationId}/${repo.owner}/${repo.repo}`.toLowerCase();
}
