import type { Context } from 'probot';
import type { AppRuntime } from '../runtime.js';

/** A pull request opened or pushed to: the `Template drift` check looks for changes to enforced files. */
export function onPullRequestChanged(runtime: AppRuntime) {
  return async (context: Context<'pull_request.opened' | 'pull_request.synchronize'>): Promise<void> => {
    const { installation, repository, pull_request: pull } = context.payload;
    if (!installation || pull.state !== 'open') return;
    await runtime.queue.enqueue({
      kind: 'check-pull-request', installationId: installation.id, repo: { owner: repository.owner.login, repo: repository.name },
      reason: 'pull-request', explicit: false,
      pull: { number: pull.number, headSha: pull.head.sha, headRef: pull.head.ref, ...(pull.head.repo && { headRepo: pull.head.repo.full_name }) },
    });
  };
}
