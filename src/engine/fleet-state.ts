import { blobId } from './blob-id.js';
import type { FileMap } from './file-map.js';
import type { PolicyOf } from './file-rules.js';
import type { FleetState } from './fleet-inventory.js';
import { tagVersion } from './template-versions.js';

/** What a scan saw of one repository in GitHub, before it is given a state. */
export interface RepoObservation {
  /** Why its update cannot run as things are: an unreadable answers file or template, a render error. */
  readonly problem?: string;
  /** The app's open "action required" issue. */
  readonly problemIssue?: string;
  /** The app's open update PR: its URL, the version its marker goes to, and whether it carries conflicts. */
  readonly openPull?: { readonly url: string; readonly to?: string; readonly conflicts: boolean };
  /** The version the repository should be on: the latest release, or its own when it is past that. */
  readonly target?: string;
  /** The recorded version is not the target. */
  readonly behind: boolean;
  /** The update PR to `target` that was closed unmerged. */
  readonly declinedPull?: string;
  /** Enforced files that differ from the template's render (looked at only when not behind). */
  readonly driftedPaths: readonly string[];
}

/**
 * The one state a repository is shown in, most urgent reason first: something blocks it (the
 * "action required" issue), an update PR waits (with conflicts or without), it is behind (or
 * declined the latest), it is on the target but an enforced file differs, or it is in line.
 */
export function fleetState(seen: RepoObservation): { state: FleetState; url?: string } {
  if (seen.problemIssue !== undefined || seen.problem !== undefined) {
    return { state: 'action-required', ...(seen.problemIssue !== undefined && { url: seen.problemIssue }) };
  }
  if (seen.openPull) return { state: seen.openPull.conflicts ? 'conflicts' : 'update-open', url: seen.openPull.url };
  if (seen.behind) return seen.declinedPull !== undefined ? { state: 'declined', url: seen.declinedPull } : { state: 'behind' };
  return { state: seen.driftedPaths.length > 0 ? 'drifted' : 'in-line' };
}

/**
 * Whether a reconcile queues an update: behind its target, that version not declined, and no
 * update PR open that already goes there (an open PR to an older version is refreshed, as a
 * release would refresh it; one whose marker cannot be read is left to people).
 */
export function isDue(seen: RepoObservation): boolean {
  if (!seen.behind || seen.target === undefined || seen.declinedPull !== undefined) return false;
  if (!seen.openPull) return true;
  const [open, target] = [seen.openPull.to === undefined ? null : tagVersion(seen.openPull.to), tagVersion(seen.target)];
  return open !== null && target !== null && open.compare(target) < 0;
}

/** A repository's file as its git tree lists it. */
export interface TreeBlobId {
  readonly sha: string;
  readonly mode: string;
}

/**
 * The enforced paths whose repository file is not exactly the rendered one: another blob id
 * (equal ids mean equal bytes, so no content is downloaded), another mode, or no file at all.
 */
export function driftedEnforcedPaths(rendered: FileMap, policyOf: PolicyOf, repository: ReadonlyMap<string, TreeBlobId>): string[] {
  return [...rendered]
    .filter(([path]) => policyOf(path) === 'enforce')
    .filter(([path, entry]) => {
      const theirs = repository.get(path);
      return theirs === undefined || theirs.mode !== entry.mode || theirs.sha !== blobId(entry.content);
    })
    .map(([path]) => path)
    .sort();
}

/** The enforced paths of a render: what the drift check asks the repository's tree for. */
export function enforcedPaths(rendered: FileMap, policyOf: PolicyOf): string[] {
  return [...rendered.keys()].filter((path) => policyOf(path) === 'enforce').sort();
}
