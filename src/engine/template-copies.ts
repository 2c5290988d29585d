import type { FileEntry } from './file-map.js';
import type { PlannedChange } from './plan-update.js';

/** Appended to a conflicted path to name the copy of the template's version beside it. */
export const TEMPLATE_COPY_SUFFIX = '.template';

export interface TemplateCopy {
  /** The conflicted path, whose file the update keeps as it is. */
  readonly of: string;
  /** Where the template's version goes: `<of>.template`. */
  readonly path: string;
  readonly entry: FileEntry;
  /** Something is already at `path` in the repository: the copy is not written, and the report says so. */
  readonly blocked?: boolean;
}

/**
 * Where the CLI puts the template's version of each conflict that keeps the repository's file
 * untouched (a binary or symlink changed on both sides, a file changed by the template but
 * deleted here): `<path>.template` beside it, the way rpm leaves `.rpmnew` beside an edited
 * config file. Without it the template's side would be on no disk at all. A conflict whose
 * template side is a deletion has nothing to show; a copy whose name is a path the update
 * itself plans (the template manages `x.template` too) is left out, since the plan wins. A copy
 * whose path is in `present` (something already there, perhaps a person's ignored file) is
 * `blocked`: never overwritten.
 */
export function templateCopies(changes: readonly PlannedChange[], present: ReadonlySet<string> = new Set()): TemplateCopy[] {
  const planned = new Set(changes.map((change) => change.path));
  const copies: TemplateCopy[] = [];
  for (const change of changes) {
    if (!change.conflict || change.outcome !== 'kept-local' || !change.theirs) continue;
    const path = `${change.path}${TEMPLATE_COPY_SUFFIX}`;
    if (!planned.has(path)) copies.push({ of: change.path, path, entry: change.theirs, ...(present.has(path) && { blocked: true }) });
  }
  return copies;
}
