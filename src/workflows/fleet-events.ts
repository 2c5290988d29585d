import type { FleetEntry } from '../engine/fleet-inventory.js';
import { latestVersionTag } from '../engine/template-versions.js';
import type { UpdateOutcome } from './update-repository.js';

/**
 * What an event tells about one repository's entry, without a scan:
 * - an entry to store (the event decides the new state),
 * - `'gone'` (the repository no longer follows a template),
 * - `'rescan'` (the event says something changed but not what it is now: a failure may or may
 *   not have opened the "action required" issue, a skip may be a decline or a person's branch).
 */
export type EntryChange = FleetEntry | 'gone' | 'rescan';

/** After an update ran. */
export function entryAfterUpdate(entry: FleetEntry | undefined, outcome: UpdateOutcome, seenAt: string): EntryChange {
  if (outcome.kind === 'not-configured') return 'gone';
  if (!entry) return 'rescan';
  switch (outcome.kind) {
    case 'pull-request':
      return { ...entry, state: outcome.conflicts > 0 ? 'conflicts' : 'update-open', url: outcome.url, seenAt };
    case 'in-line':
      return withoutUrl({ ...entry, version: outcome.version, state: 'in-line', seenAt });
    default:
      return 'rescan';
  }
}

/** After the app's update PR was closed: merged, the repository records its version; unmerged, the version is declined. */
export function entryAfterClose(entry: FleetEntry | undefined, pull: { merged: boolean; url: string; to: string }, seenAt: string): EntryChange {
  if (!entry) return 'rescan';
  if (!pull.merged) return { ...entry, state: 'declined', url: pull.url, seenAt };
  // Merged to an older release than the latest, it is still behind; the scan says so.
  if (entry.latest !== undefined && pull.to !== entry.latest) return 'rescan';
  return withoutUrl({ ...entry, version: pull.to, state: 'in-line', seenAt });
}

/** What a release's fan-out read of one repository whose answers file names the released template. */
export interface ReleaseRead {
  /** `owner/name`. */
  readonly repo: string;
  /** What its answers file records; absent when the file does not parse (its update opens the "action required" issue). */
  readonly recorded?: { readonly version: string; readonly commit?: string };
  /** Not at or past the release: its update is queued now, or held for the second wave. */
  readonly behind: boolean;
}

/** Everything a release's fan-out read of an installation, handed to the fleet inventory instead of a scan of its own. */
export interface ReleaseSighting {
  /** `owner/repo` of the template, GitHub's spelling (as the scan names it). */
  readonly template: string;
  readonly tag: string;
  readonly repos: readonly ReleaseRead[];
  /** The other repositories it read: no answers file, or one naming another template. */
  readonly others: readonly string[];
}

/**
 * After a release's fan-out read the repository's answers file: the template's latest release
 * is the higher of the two, and a repository behind the release is `behind` unless a state of
 * more weight holds (an update PR or the "action required" issue open, which its update settles;
 * a decline of this very release). `'keep'` when there is nothing to change or to know yet (an
 * unreadable file: its update says); `'rescan'` when only a scan can tell (a repository the
 * inventory lacks that is not behind, or whose recorded version moved without an event).
 */
export function entryAfterRelease(entry: FleetEntry | undefined, read: ReleaseRead, release: ReleaseSighting, seenAt: string): EntryChange | 'keep' {
  if (!read.recorded) return 'keep';
  const latest = latestVersionTag([...(entry?.latest === undefined ? [] : [entry.latest]), release.tag]) ?? entry?.latest;
  const recorded = { version: read.recorded.version, ...(read.recorded.commit !== undefined && { commit: read.recorded.commit }) };
  if (!entry) {
    return read.behind ? { repo: read.repo, template: release.template, ...recorded, ...(latest !== undefined && { latest }), state: 'behind', seenAt } : 'rescan';
  }
  const { commit, latest: before, ...rest } = entry;
  void commit;
  void before;
  const seen: FleetEntry = { ...rest, ...recorded, ...(latest !== undefined && { latest }), seenAt };
  if (!read.behind) return entry.version === recorded.version ? seen : 'rescan';
  const declinedThis = entry.state === 'declined' && entry.latest === release.tag;
  if (entry.state === 'in-line' || entry.state === 'drifted' || (entry.state === 'declined' && !declinedThis)) {
    const { problem, ...behind } = withoutUrl({ ...seen, state: 'behind' });
    void problem;
    return behind;
  }
  return seen;
}

function withoutUrl(entry: FleetEntry): FleetEntry {
  const { url, ...rest } = entry;
  void url; // in line: no PR or issue explains the state any more
  return rest;
}
