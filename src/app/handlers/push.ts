import type { Context } from 'probot';
import { ANSWERS_FILE } from '../../engine/answers-file.js';
import { UPDATE_BRANCH } from '../../engine/pull-request-text.js';
import { readMarker } from '../../engine/update-marker.js';
import type { AppRuntime } from '../runtime.js';

/**
 * A push to a default branch: when it changed the answers file, or an update PR is open, the
 * update is recomputed on the new head (the PR is rebased in place, or closed when no longer needed).
 */
export function onPush(runtime: AppRuntime) {
  return (context: Context<'push'>): void => {
    const { installation, repository, ref, commits, deleted } = context.payload;
    if (!installation || deleted || !repository.owner || ref !== `refs/heads/${repository.default_branch}`) return;
    const touchesAnswers = commits.some((commit) => [...(commit.added ?? []), ...(commit.modified ?? [])].includes(ANSWERS_FILE));
    const scope = runtime.scope(context.octokit, installation.id, context.log);
    const repo = { owner: repository.owner.login, repo: repository.name };
    void runtime.waiting.enqueue({
      installation: installation.id,
      repository: repository.full_name,
      name: 'refresh-after-push',
      run: async (signal) => {
        const [open] = await scope.platformFor(signal).pullsForBranch(repo, UPDATE_BRANCH, 'open');
        if (!open && !touchesAnswers) return;
        const target = readMarker(open?.body)?.to;
        await scope.update({ repo, ...(target !== undefined && { targetRef: target }), explicit: false, reason: 'push' });
      },
    });
  };
}
