import type { Context } from 'probot';
import { parseSyncCommand } from '../../engine/sync-command.js';
import type { AppRuntime } from '../runtime.js';

/** `/sync-template` in a new comment by a person (bots, the app included, are ignored): one job that answers in the thread. */
export function onCommentCreated(runtime: AppRuntime) {
  return async (context: Context<'issue_comment.created'>): Promise<void> => {
    const { installation, repository, issue, comment, sender } = context.payload;
    if (!installation || comment.user?.type === 'Bot' || sender.type === 'Bot') return;
    const command = parseSyncCommand(comment.body);
    if (!command) return;
    await runtime.queue.enqueue({
      kind: 'sync-template', installationId: installation.id, repo: { owner: repository.owner.login, repo: repository.name },
      ...(command.ref !== undefined && { targetRef: command.ref }), reason: 'command', explicit: true,
      requestedBy: comment.user?.login ?? sender.login, comment: { issueNumber: issue.number, commentId: comment.id, onPullRequest: Boolean(issue.pull_request) },
    });
  };
}
