import type { Context } from 'probot';
import { fanOutRelease } from '../../workflows/fan-out-release.js';
import type { AppRuntime } from '../runtime.js';

/** A published release of a template: fan out one update per repository that uses it. */
export function onReleasePublished(runtime: AppRuntime) {
  return (context: Context<'release.published'>): void => {
    const { installation, repository, release } = context.payload;
    if (!installation || release.draft) return;
    const scope = runtime.scope(context.octokit, installation.id, context.log);
    const template = { owner: repository.owner.login, repo: repository.name };
    void runtime.queue.enqueue({
      installation: installation.id,
      repository: repository.full_name,
      name: 'fan-out-release',
      run: async (signal) => {
        await fanOutRelease({ template, tag: release.tag_name, prerelease: release.prerelease }, {
          platform: scope.platformFor(signal),
          fetching: scope.fetching,
          log: context.log,
          git: runtime.gitBounds(signal),
          // Each update reports its own failure through the queue; one never stops the others.
          // A fan-out stopped (its deadline, or its installation gone) queues nothing more.
          updateLater: (repo, tag) => {
            if (!signal.aborted) void scope.update({ repo, targetRef: tag, explicit: false, reason: 'release' }).catch(() => undefined);
          },
        });
      },
    });
  };
}
