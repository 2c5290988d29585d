import type { Context } from 'probot';
import { parseSyncCommand } from '../../engine/sync-command.js';
import { handleCommand } from '../../workflows/handle-command.js';
import type { AppRuntime } from '../runtime.js';

/** `/sync-template` in a new comment by a person (bots, the app included, are ignored). */
export function onCommentCreated(runtime: AppRuntime) {
  return (context: Context<'issue_comment.created'>): void => {
    const { installation, repository, issue, comment, sender } = context.payload;
    if (!installation || comment.user?.type === 'Bot' || sender.type === 'Bot') return;
    if (!parseSyncCommand(comment.body)) return;
    const scope = runtime.scope(context.octokit, installation.id, context.log);
    const repo = { owner: repository.owner.login, repo: repository.name };
    void runtime.waiting.enqueue({
      installation: installation.id,
      repository: repository.full_name,
      name: 'sync-template',
      run: (signal) => handleCommand(
        { repo, issueNumber: issue.number, commentId: comment.id, author: comment.user?.login ?? sender.login, body: comment.body },
        {
          platform: scope.platformFor(signal),
          updateLater: (target, ref) => scope.update({ repo: target, ...(ref !== undefined && { targetRef: ref }), explicit: true, reason: 'command' }),
          // Only a pull request can be the onboarding PR: a command on an issue costs no look.
          ...(issue.pull_request && { onboardLater: (target: typeof repo, number: number) => scope.onboard({ repo: target, resync: number }) }),
        },
      ),
    });
  };
}
