import type { Context } from 'probot';
import { guardEnforcedFiles } from '../../workflows/guard-enforced-files.js';
import type { AppRuntime } from '../runtime.js';

/** A pull request opened or pushed to: the `Template drift` check looks for changes to enforced files. */
export function onPullRequestChanged(runtime: AppRuntime) {
  return (context: Context<'pull_request.opened' | 'pull_request.synchronize'>): void => {
    const { installation, repository, pull_request: pull } = context.payload;
    if (!installation || pull.state !== 'open') return;
    const scope = runtime.scope(context.octokit, installation.id, context.log);
    const request = {
      repo: { owner: repository.owner.login, repo: repository.name },
      number: pull.number, headSha: pull.head.sha, headRef: pull.head.ref, headRepo: pull.head.repo?.full_name,
    };
    void runtime.queue.enqueue({
      installation: installation.id,
      repository: repository.full_name,
      name: 'guard-enforced-files',
      run: async (signal) => {
        await guardEnforcedFiles(request, {
          platform: scope.platformFor(signal), fetching: scope.fetching, log: scope.log, git: runtime.gitBounds(signal),
          ...(runtime.settings.renderLimits && { renderLimits: runtime.settings.renderLimits }),
        });
      },
    });
  };
}
