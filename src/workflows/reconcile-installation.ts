import { isCanary } from '../engine/rollout.js';
import { MANIFEST_FILE } from '../engine/template-manifest.js';
import { isAtOrPast } from '../engine/template-versions.js';
import type { FleetEntry } from '../engine/fleet-inventory.js';
import type { Platform, RepoId } from '../github/platform.js';
import type { Log } from './log.js';
import { releaseRollout } from './release-waves.js';
import { scanFleet, type DueUpdate, type FleetScan, type FleetScanDependencies } from './scan-fleet.js';

export interface ReconcileDependencies extends Omit<FleetScanDependencies, 'template' | 'onProgress'> {
  /** Queues the update of one repository to `target` of `template`, as a release's fan-out queues it. */
  readonly updateLater: (repo: RepoId, target: string, template: string) => void | Promise<void>;
  /** Told the scan's inventory (and when the scan began) before any update is queued, so the fleet views need no scan of their own. */
  readonly scanned?: (entries: FleetEntry[], since: string) => Promise<void>;
}

/**
 * Finishes what webhooks left undone in one installation (a fan-out lost in a crash, a release
 * the app never heard of):
 * 1. scan the installation's fleet (scan-fleet.ts): who is behind, with no update PR for its
 *    target open and no decline of it; the fleet views keep that inventory (before the updates
 *    below, whose outcomes then patch it);
 * 2. hold back what a canary rollout still holds: a second-wave repository waits while a canary
 *    of the release has not merged it and the release's `wait` has not passed;
 * 3. queue one update per remaining repository.
 * Resolves with the scan, for whoever shows the fleet.
 */
export async function reconcileInstallation(deps: ReconcileDependencies): Promise<FleetScan> {
  const scan = await scanFleet(deps);
  await deps.scanned?.(scan.entries, scan.seenAt);
  const now = (deps.now ?? (() => new Date()))();
  const held = await heldByRollouts(deps.platform, scan, now, deps.log);
  const due = scan.due.filter((update) => !held.has(`${update.repo.owner}/${update.repo.repo}`.toLowerCase()));
  for (const update of due) await deps.updateLater(update.repo, update.target, update.template);
  if (scan.due.length > 0) deps.log.info({ queued: due.length, held: scan.due.length - due.length }, 'reconcile queued updates the webhooks left undone');
  return scan;
}

/** The due repositories (owner/repo, lower case) a release's canary wave still holds back. */
async function heldByRollouts(platform: Platform, scan: FleetScan, now: Date, log: Log): Promise<Set<string>> {
  const held = new Set<string>();
  const releases = new Map<string, DueUpdate[]>();
  for (const update of scan.due) {
    const key = `${update.template}@${update.target}`;
    releases.set(key, [...(releases.get(key) ?? []), update]);
  }
  for (const updates of releases.values()) {
    const { template: name, target } = updates[0]!;
    // Rollouts are read from the GitHub the app serves; a template elsewhere has its waves only in its fan-out.
    if (!/^[^/]+\/[^/]+$/.test(name)) continue;
    const template = splitName(name);
    const manifest = await platform.fileText(template, MANIFEST_FILE, target);
    const rollout = manifest === undefined ? undefined : releaseRollout(manifest, { template, tag: target }, log);
    if (!rollout) continue;
    const canaries = scan.entries.filter((entry) => sameRepoIn(entry, name) && isCanary(rollout, splitName(entry.repo)));
    const waiting = canaries.some((entry) => !isAtOrPast(entry.version, target));
    const published = (await platform.releases(template)).find((release) => release.tag === target)?.publishedAt;
    const waitOver = published === undefined || Date.parse(published) + rollout.waitMs <= now.getTime();
    if (!waiting || waitOver) continue;
    for (const update of updates) if (!isCanary(rollout, update.repo)) held.add(`${update.repo.owner}/${update.repo.repo}`.toLowerCase());
  }
  return held;
}

function sameRepoIn(entry: FleetEntry, template: string): boolean {
  return entry.template.toLowerCase() === template.toLowerCase();
}

function splitName(name: string): RepoId {
  const [owner = '', repo = ''] = name.split('/');
  return { owner, repo };
}
