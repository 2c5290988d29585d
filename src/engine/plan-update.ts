import { isBinaryFileSync } from 'isbinaryfile';
import type { FileEntry, FileMap, FileMode } from './file-map.js';
import { SYMLINK, sameContent, sameFile } from './file-map.js';
import { resolveFileFolderClashes } from './file-folder-clashes.js';
import type { FilePolicy, PolicyOf } from './file-rules.js';
import type { MergeLabels, Merger } from './merger.js';

export type ChangeAction = 'add' | 'update' | 'delete' | 'keep';

/**
 * How a path ends up: `template` takes the template's file, `merged` is a clean three-way merge,
 * `conflict-markers` is a merge with markers written, `kept-local` keeps the repository's file
 * although the template changed it (a scaffold file, an ignored path, or a conflict that cannot
 * be written as markers).
 */
export type ChangeOutcome = 'template' | 'merged' | 'conflict-markers' | 'kept-local';

export interface PlannedChange {
  readonly path: string;
  readonly policy: FilePolicy;
  /** What happens to the repository's file. `keep` writes nothing. */
  readonly action: ChangeAction;
  /** What the template did to the path (or, for drift repair, what bringing it in line takes). */
  readonly templateAction: Exclude<ChangeAction, 'keep'>;
  readonly outcome: ChangeOutcome;
  readonly conflict: boolean;
  /** Why, in words for the person reading the report. */
  readonly reason: string;
  /** The repository's file now (absent when it has none). */
  readonly before?: FileEntry;
  /** The file after the update, for `add` and `update`. */
  readonly after?: FileEntry;
  /**
   * The template's file at the target, for a conflict that keeps the repository's file as it is
   * (binary, symlink, or deleted here): the side a person still has to see and pick up.
   */
  readonly theirs?: FileEntry;
}

export interface PlanInput {
  /** The template at the version the repository was last updated to, rendered (empty map if none). */
  readonly base: FileMap;
  /** The template at the target version, rendered. */
  readonly theirs: FileMap;
  /**
   * The repository's files at `managedPaths(base, theirs)`, plus what stands in the way of them:
   * a file where one of them needs a folder, the files beneath one that is a folder here.
   */
  readonly ours: FileMap;
  readonly policyOf: PolicyOf;
  readonly merger: Merger;
  readonly labels: MergeLabels;
}

/** The paths an update has to look at: what the template had at base or has at the target. */
export function managedPaths(base: FileMap, theirs: FileMap): string[] {
  return [...new Set([...base.keys(), ...theirs.keys()])].sort();
}

/**
 * Decides, path by path, what an update does. Pure apart from the merge port: nothing is written
 * here, so a failure anywhere leaves every repository untouched.
 */
export async function planUpdate(input: PlanInput): Promise<PlannedChange[]> {
  // Paths are planned side by side so that merges (a git process each) overlap; the Merger
  // bounds how many run at once. Promise.all keeps the paths' order.
  const managed = managedPaths(input.base, input.theirs);
  const planned = await Promise.all(managed.map((path) => planPath(path, input)));
  const changes = planned.filter((change): change is PlannedChange => change !== undefined);
  return resolveFileFolderClashes(changes, input.ours, new Set(managed), input.policyOf);
}

interface PathState {
  readonly path: string;
  readonly policy: FilePolicy;
  readonly base: FileEntry | undefined;
  readonly theirs: FileEntry | undefined;
  readonly ours: FileEntry | undefined;
}

async function planPath(path: string, input: PlanInput): Promise<PlannedChange | undefined> {
  const state: PathState = {
    path,
    policy: input.policyOf(path),
    base: input.base.get(path),
    theirs: input.theirs.get(path),
    ours: input.ours.get(path),
  };
  const change = await planPolicy(state, input);
  // A file git ignores here (`.env`) is a person's local file, invisible to `git status` and to
  // review: it is kept byte for byte and reported, never overwritten or deleted.
  if (change && (change.action !== 'keep' || change.conflict) && state.ours?.gitIgnored) {
    return keepLocal(state, true, 'git-ignored in this repository, so a local file: kept as it is, the template\'s version not written');
  }
  return change;
}

async function planPolicy(state: PathState, input: PlanInput): Promise<PlannedChange | undefined> {
  switch (state.policy) {
    case 'exclude':
      return undefined;
    case 'ignore':
      return templateChanged(state) ? keepLocal(state, false, 'ignored by this repository (answers file `ignore`)') : undefined;
    case 'scaffold':
      return planScaffold(state);
    case 'enforce':
      return planEnforce(state);
    case 'merge':
      return planMerge(state, input.merger, input.labels);
  }
}

function planScaffold(state: PathState): PlannedChange | undefined {
  if (state.theirs && !state.base && !state.ours) {
    return take(state, 'add', 'new scaffold file from the template');
  }
  if (templateChanged(state) && state.ours) {
    return keepLocal(state, false, 'scaffold file: created once, then owned by the repository');
  }
  return undefined;
}

function planEnforce(state: PathState): PlannedChange | undefined {
  const { theirs, ours, base } = state;
  if (theirs) {
    if (sameFile(ours, theirs)) return undefined;
    return take(state, ours ? 'update' : 'add', ours && base && !sameFile(ours, base) ? 'enforced: local edits replaced by the template' : 'enforced by the template');
  }
  return ours && base ? take(state, 'delete', 'enforced: deleted by the template') : undefined;
}

async function planMerge(state: PathState, merger: Merger, labels: MergeLabels): Promise<PlannedChange | undefined> {
  const { base, theirs, ours } = state;
  if (sameFile(ours, theirs)) return undefined;
  if (!theirs) {
    if (!ours) return undefined;
    if (sameFile(ours, base)) return take(state, 'delete', 'deleted by the template');
    return keepLocal(state, true, 'deleted by the template but changed in this repository');
  }
  if (!ours) {
    if (!base) return take(state, 'add', 'added by the template');
    if (sameFile(base, theirs)) return undefined; // deleted here, untouched by the template: stays deleted
    return keepLocal(state, true, 'changed by the template but deleted in this repository');
  }
  if (base && sameFile(ours, base)) return take(state, 'update', 'updated by the template');
  if (base && sameFile(base, theirs)) return undefined; // only local edits: nothing to bring in

  const mode = mergeMode(base?.mode, ours.mode, theirs.mode);
  if (sameContent(ours, theirs) || (base && sameContent(base, theirs))) {
    return mode === ours.mode ? undefined : write(state, { content: ours.content, mode }, 'merged', false, 'file mode changed by the template');
  }
  if (base && sameContent(ours, base)) {
    return write(state, { content: theirs.content, mode }, 'merged', false, 'updated by the template; local mode change kept');
  }
  if ([base, ours, theirs].some((entry) => entry && (entry.mode === SYMLINK || isBinaryFileSync(entry.content)))) {
    return keepLocal(state, true, 'binary file or symlink changed both here and in the template');
  }
  const merged = await merger.merge(ours.content, base?.content ?? Buffer.alloc(0), theirs.content, labels);
  const reason = merged.conflicted
    ? base ? 'changed both here and in the template: conflict markers written' : 'added both here and by the template: conflict markers written'
    : 'changed both here and in the template: merged';
  if (!merged.conflicted && merged.content.equals(ours.content) && mode === ours.mode) return undefined;
  return write(state, { content: merged.content, mode }, merged.conflicted ? 'conflict-markers' : 'merged', merged.conflicted, reason);
}

/** Git's rule for modes: whichever side changed it wins; ours when both did. */
function mergeMode(base: FileMode | undefined, ours: FileMode, theirs: FileMode): FileMode {
  return base !== undefined && ours === base ? theirs : ours;
}

function templateChanged(state: PathState): boolean {
  return !sameFile(state.base, state.theirs);
}

function templateAction(state: PathState): PlannedChange['templateAction'] {
  if (!state.theirs) return 'delete';
  return state.base || state.ours ? 'update' : 'add';
}

function take(state: PathState, action: Exclude<ChangeAction, 'keep'>, reason: string): PlannedChange {
  const after = action === 'delete' ? undefined : state.theirs;
  return change(state, action, 'template', false, reason, after);
}

function write(state: PathState, after: FileEntry, outcome: ChangeOutcome, conflict: boolean, reason: string): PlannedChange {
  return change(state, state.ours ? 'update' : 'add', outcome, conflict, reason, after);
}

function keepLocal(state: PathState, conflict: boolean, reason: string): PlannedChange {
  const kept = change(state, 'keep', 'kept-local', conflict, reason, undefined);
  return conflict && state.theirs ? { ...kept, theirs: state.theirs } : kept;
}

function change(
  state: PathState,
  action: ChangeAction,
  outcome: ChangeOutcome,
  conflict: boolean,
  reason: string,
  after: FileEntry | undefined,
): PlannedChange {
  return {
    path: state.path,
    policy: state.policy,
    action,
    templateAction: templateAction(state),
    outcome,
    conflict,
    reason,
    ...(state.ours && { before: state.ours }),
    ...(after && { after }),
  };
}

/**
 * What applying a plan writes and deletes (kept files and kept-local conflicts write nothing).
 * Deletes are applied before writes, so a file may make way for a folder and a folder for a file.
 */
export function planWrites(changes: readonly PlannedChange[]): { writes: Map<string, FileEntry>; deletes: string[] } {
  const writes = new Map<string, FileEntry>();
  const deletes: string[] = [];
  for (const change of changes) {
    if (change.after) writes.set(change.path, change.after);
    else if (change.action === 'delete') deletes.push(change.path);
  }
  return { writes, deletes };
}
