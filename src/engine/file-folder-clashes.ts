import type { FileMap } from './file-map.js';
import type { PolicyOf } from './file-rules.js';
import type { PlannedChange } from './plan-update.js';

/** Who puts a file (or symlink) at a path once the plan is applied. */
type Owner = 'template' | 'repository';

/**
 * Makes a plan applicable as a tree: a path cannot be a file and a folder at once. The template
 * alone never asks for both (its output is checked when rendered), so every clash is between
 * the template and a file the repository keeps:
 * - the repository keeps a file or symlink at `x` (its own, changed locally, or ignored) where
 *   the template now wants a folder `x/…`: nothing is written beneath `x`, and `x` becomes one
 *   conflict naming what the template wanted there;
 * - the template wants a file at `x` where the repository keeps files beneath the folder `x/`:
 *   that file is not written, and `x` is a conflict naming what is in the way.
 * Everything else in the plan still applies, so one clash never stops the update.
 */
export function resolveFileFolderClashes(
  changes: readonly PlannedChange[], ours: FileMap, managed: ReadonlySet<string>, policyOf: PolicyOf,
): PlannedChange[] {
  const byPath = new Map(changes.map((change) => [change.path, change]));
  const owners = finalOwners(byPath, ours, managed);
  const blockedBeneath = new Map<string, string[]>(); // a kept file → the template's paths beneath it
  const inTheWay = new Map<string, string[]>(); // a template file → the repository's files beneath it

  for (const [path, owner] of owners) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const ancestor = segments.slice(0, i).join('/');
      const above = owners.get(ancestor);
      if (above === 'repository' && owner === 'template') push(blockedBeneath, ancestor, path);
      if (above === 'template' && owner === 'repository') push(inTheWay, ancestor, path);
    }
  }
  if (blockedBeneath.size === 0 && inTheWay.size === 0) return [...changes];

  for (const paths of blockedBeneath.values()) for (const path of paths) byPath.delete(path);
  for (const [file, paths] of blockedBeneath) {
    const reason = `the template now has a folder here (${list(paths)}), but this repository keeps a ${ours.get(file)?.mode === '120000' ? 'symlink' : 'file'}: the template's files beneath it are not written`;
    byPath.set(file, conflictAt(file, byPath.get(file), reason, ours, policyOf));
  }
  for (const [file, paths] of inTheWay) {
    const reason = `the template now has a file here, but this repository keeps files in this folder (${list(paths)}): the template's file is not written`;
    byPath.set(file, conflictAt(file, byPath.get(file), reason, ours, policyOf));
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function finalOwners(byPath: ReadonlyMap<string, PlannedChange>, ours: FileMap, managed: ReadonlySet<string>): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  for (const path of ours.keys()) if (!managed.has(path)) owners.set(path, 'repository');
  for (const path of managed) {
    const change = byPath.get(path);
    if (change?.after) owners.set(path, 'template');
    else if (change?.action !== 'delete' && ours.has(path)) owners.set(path, 'repository');
  }
  return owners;
}

function conflictAt(path: string, existing: PlannedChange | undefined, reason: string, ours: FileMap, policyOf: PolicyOf): PlannedChange {
  const before = ours.get(path);
  return {
    path,
    policy: existing?.policy ?? policyOf(path),
    action: 'keep',
    templateAction: existing?.templateAction ?? 'update',
    outcome: 'kept-local',
    conflict: true,
    reason: existing?.conflict ? `${existing.reason}; ${reason}` : reason,
    ...(before && { before }),
  };
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

function list(paths: readonly string[]): string {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}
