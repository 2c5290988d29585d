import type { Context } from 'probot';
import { DASHBOARD_TITLE, isDashboard, newTicks } from '../../engine/fleet-dashboard.js';
import type { AppRuntime } from '../runtime.js';

/**
 * A person edited the app's `Template adoption` issue: ticked boxes re-run those repositories'
 * updates (one job, which checks the person's access). Bots' edits (the app's own refreshes),
 * other issues and edits that tick nothing new are ignored.
 */
export function onIssueEdited(runtime: AppRuntime) {
  return async (context: Context<'issues.edited'>): Promise<void> => {
    const { installation, repository, issue, changes, sender } = context.payload;
    const before = changes.body?.from;
    if (!installation || sender.type === 'Bot' || issue.user?.type !== 'Bot' || before === undefined) return;
    if (issue.title !== DASHBOARD_TITLE || !isDashboard(issue.body)) return;
    const ticks = newTicks(before ?? '', issue.body ?? '');
    if (ticks.repos.length === 0 && !ticks.allBehind) return;
    await runtime.queue.enqueue({
      kind: 'dashboard-ticks', installationId: installation.id, repo: { owner: repository.owner.login, repo: repository.name },
      reason: 'command', explicit: true, requestedBy: sender.login, issueNumber: issue.number, ticks: { repos: [...ticks.repos], allBehind: ticks.allBehind },
    });
  };
}
