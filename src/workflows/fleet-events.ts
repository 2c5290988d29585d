import type { FleetEntry } from '../engine/fleet-inventory.js';
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

function withoutUrl(entry: FleetEntry): FleetEntry {
  const { url, ...rest } = entry;
  void url; // in line: no PR or issue explains the state any more
  return rest;
}
