import { UPDATE_BRANCH } from '../engine/pull-request-text.js';
import { readMarker } from '../engine/update-marker.js';
import type { RepoId } from '../github/platform.js';
import { updateRepository, type UpdateDependencies, type UpdateOutcome } from './update-repository.js';

/**
 * A push to a repository's default branch.
 * 1. find the open update PR; none, and the push left the answers file alone: nothing to do;
 * 2. recompute the update on the new head, to the open PR's version (the PR is rebased in
 *    place, or closed when no longer needed), or to the latest release for changed answers.
 */
export async function refreshAfterPush(repo: RepoId, answersChanged: boolean, deps: UpdateDependencies): Promise<UpdateOutcome | undefined> {
  const [open] = await deps.platform.pullsForBranch(repo, UPDATE_BRANCH, 'open');
  if (!open && !answersChanged) return undefined;
  const target = readMarker(open?.body)?.to;
  return updateRepository({ repo, ...(target !== undefined && { targetRef: target }), explicit: false, reason: 'push' }, deps);
}
