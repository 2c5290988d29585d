import type { Context } from 'probot';
import type { AppRuntime } from '../runtime.js';

/** A published release of a template: one job that fans out one update per repository using it (in waves, with a rollout). */
export function onReleasePublished(runtime: AppRuntime) {
  return async (context: Context<'release.published'>): Promise<void> => {
    const { installation, repository, release } = context.payload;
    if (!installation || release.draft) return;
    await runtime.queue.enqueue({
      kind: 'fan-out-release', installationId: installation.id, repo: { owner: repository.owner.login, repo: repository.name },
      targetRef: release.tag_name, prerelease: release.prerelease, reason: 'release', explicit: false,
    });
  };
}
