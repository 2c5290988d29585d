import type { Context } from 'probot';
import { isAnswersFile } from '../../engine/answers-document.js';
import type { AppRuntime } from '../runtime.js';

/**
 * A push to a default branch: when it changed the answers file (or `.cruft.json`), or an update PR is open, the
 * update is recomputed on the new head (the PR is rebased in place, or closed when no longer needed).
 */
export function onPush(runtime: AppRuntime) {
  return async (context: Context<'push'>): Promise<void> => {
    const { installation, repository, ref, commits, deleted, after } = context.payload;
    if (!installation || deleted || !repository.owner || ref !== `refs/heads/${repository.default_branch}`) return;
    const answersChanged = commits.some((commit) => [...(commit.added ?? []), ...(commit.modified ?? [])].some(isAnswersFile));
    await runtime.queue.enqueue({
      kind: 'refresh-after-push', installationId: installation.id, repo: { owner: repository.owner.login, repo: repository.name },
      reason: 'push', explicit: false, pushedHead: after, answersChanged,
    });
  };
}
