import type { Context } from 'probot';
import { DASHBOARD_TITLE, isDashboard } from '../../engine/fleet-dashboard.js';
import { handleDashboardTicks } from '../../workflows/dashboard-ticks.js';
import type { AppRuntime } from '../runtime.js';

/**
 * A person edited the app's `Template adoption` issue: ticked boxes re-run those repositories'
 * updates. Bots' edits (the app's own refreshes) and other issues are ignored.
 */
export function onIssueEdited(runtime: AppRuntime) {
  return (context: Context<'issues.edited'>): void => {
    const { installation, repository, issue, changes, sender } = context.payload;
    const before = changes.body?.from;
    if (!installation || sender.type === 'Bot' || issue.user?.type !== 'Bot' || before === undefined) return;
    if (issue.title !== DASHBOARD_TITLE || !isDashboard(issue.body)) return;
    const scope = runtime.scope(context.octokit, installation.id, context.log);
    const repo = { owner: repository.owner.login, repo: repository.name };
    void runtime.waiting.enqueue({
      installation: installation.id,
      repository: repository.full_name,
      name: 'dashboard-ticks',
      run: async (signal) => {
        const queued = await handleDashboardTicks(
          { repo, issueNumber: issue.number, sender: sender.login, before: before ?? '', after: issue.body ?? '' },
          {
            platform: scope.platformFor(signal),
            entries: await runtime.fleet.entries(installation.id),
            rerun: (target, explicit) => void scope.update({ repo: target, explicit, reason: 'command' }).catch(() => undefined),
            refresh: () => runtime.fleet.refreshSoon(installation.id),
          },
        );
        context.log.info({ template: repository.full_name, repositories: queued.length }, 'dashboard boxes ticked: updates queued');
      },
    });
  };
}
