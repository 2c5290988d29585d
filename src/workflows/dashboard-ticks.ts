import type { DashboardTicks } from '../engine/fleet-dashboard.js';
import type { FleetEntry } from '../engine/fleet-inventory.js';
import { sameTemplate } from '../engine/template-identity.js';
import type { Platform, RepoId } from '../github/platform.js';
import { WRITERS } from './handle-command.js';

export interface DashboardEdit {
  /** The template repository the dashboard issue is in. */
  readonly repo: RepoId;
  readonly issueNumber: number;
  readonly sender: string;
  /** What the edit ticked (`newTicks` of the body before and after it). */
  readonly ticks: DashboardTicks;
}

export interface TickDependencies {
  readonly platform: Platform;
  /** The installation's inventory. */
  readonly entries: readonly FleetEntry[];
  /** Queues the update of one repository; `explicit` when a person named it (declines do not apply). */
  readonly rerun: (repo: RepoId, explicit: boolean) => Promise<void>;
  /** Re-renders the dashboard, which unticks the boxes. */
  readonly refresh: () => void;
}

/**
 * A person ticked boxes in the `Template adoption` issue.
 * 1. what this edit ticked (nothing new: an edit of something else, or the app's own): nothing to do;
 * 2. only people with write, maintain or admin on the template repository may re-run updates,
 *    looked up as `/sync-template` looks them up; anyone else is told so, and nothing runs;
 * 3. re-run each ticked repository that is in this template's inventory (a name typed into the
 *    body by hand is not), and with "re-run all behind" every repository that is behind;
 * 4. re-render the dashboard, so every box is unticked again.
 * Returns the repositories queued.
 */
export async function handleDashboardTicks(edit: DashboardEdit, deps: TickDependencies): Promise<string[]> {
  const { ticks } = edit;
  if (ticks.repos.length === 0 && !ticks.allBehind) return [];
  try {
    const permission = await deps.platform.permission(edit.repo, edit.sender).catch(() => undefined);
    if (permission === undefined || !WRITERS.has(permission)) {
      const why = permission === undefined ? 'could not check your access to this repository with GitHub' : 're-running updates needs write access to this repository';
      await deps.platform.comment(edit.repo, edit.issueNumber, `@${edit.sender} ${why}; nothing was run.`);
      return [];
    }
    const template = `${edit.repo.owner}/${edit.repo.repo}`;
    const ours = deps.entries.filter((entry) => sameTemplate(entry.template, template));
    const named = new Set(ticks.repos.map((repo) => repo.toLowerCase()));
    const chosen = ours.filter((entry) => named.has(entry.repo.toLowerCase()));
    const behind = ticks.allBehind ? ours.filter((entry) => entry.state === 'behind' && !named.has(entry.repo.toLowerCase())) : [];
    for (const entry of chosen) await deps.rerun(repoId(entry.repo), true);
    for (const entry of behind) await deps.rerun(repoId(entry.repo), false);
    return [...chosen, ...behind].map((entry) => entry.repo);
  } finally {
    deps.refresh();
  }
}

function repoId(name: string): RepoId {
  const [owner = '', repo = ''] = name.split('/');
  return { owner, repo };
}
