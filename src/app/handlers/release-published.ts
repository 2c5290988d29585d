import type { Context, ProbotOctokit } from 'probot';
import { fanOutRelease, type ReleaseEvent } from '../../workflows/fan-out-release.js';
import type { Log } from '../../workflows/log.js';
import type { AppRuntime } from '../runtime.js';

/** A published release of a template: fan out one update per repository that uses it. */
export function onReleasePublished(runtime: AppRuntime) {
  return (context: Context<'release.published'>): void => {
    const { installation, repository, release } = context.payload;
    if (!installation || release.draft) return;
    const template = { owner: repository.owner.login, repo: repository.name };
    queueFanOut(runtime, context.octokit, installation.id, context.log, { template, tag: release.tag_name, prerelease: release.prerelease });
  };
}

/**
 * Queues a release's fan-out, or its second wave. A first wave that sent only the canaries
 * schedules the second `wait` later; the canaries' merges may start it sooner
 * (pull-request-closed), and whichever comes second finds the rest already in hand.
 */
export function queueFanOut(runtime: AppRuntime, octokit: ProbotOctokit, installationId: number, log: Log, event: ReleaseEvent): void {
  const scope = runtime.scope(octokit, installationId, log);
  void runtime.queue.enqueue({
    installation: installationId,
    repository: `${event.template.owner}/${event.template.repo}`,
    name: event.wave === 'rest' ? 'fan-out-release:second-wave' : 'fan-out-release',
    run: async (signal) => {
      const queued = await fanOutRelease(event, {
        platform: scope.platformFor(signal),
        fetching: scope.fetching,
        log,
        git: runtime.gitBounds(signal),
        // Each update reports its own failure through the queue; one never stops the others.
        // A fan-out stopped (its deadline, or its installation gone) queues nothing more.
        updateLater: (repo, tag) => {
          if (!signal.aborted) void scope.update({ repo, targetRef: tag, explicit: false, reason: 'release' }).catch(() => undefined);
        },
        holdRest: (rollout) => runtime.later(rollout.waitMs, async () => {
          queueFanOut(runtime, await runtime.installationOctokit(installationId), installationId, log, { ...event, wave: 'rest' });
        }),
      });
      // The template's latest release moved: only a scan says where each repository stands now.
      if (queued.length > 0) runtime.fleet.changed(installationId);
    },
  });
}
