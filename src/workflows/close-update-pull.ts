import { UPDATE_BRANCH } from '../engine/pull-request-text.js';
import { readMarker } from '../engine/update-marker.js';
import type { Platform, PullRequestInfo, RepoId } from '../github/platform.js';
import { commentOnce } from './comment-once.js';
import { isAppHead } from './update-branch-owner.js';

const BRANCH_KEPT_MARKER = '<!-- template-drift-branch-kept -->';
const DELETE_IT_YOURSELF = 'Delete the branch when it is no longer needed; until then the app opens no new update PR here.';

/**
 * Closes an update PR that is no longer needed, and says why. Its branch is deleted only when the
 * head is the app's own commit: commits a person pushed stay on the branch (the PR can be
 * reopened), and the PR says so once.
 */
export async function closeUpdatePull(platform: Platform, repo: RepoId, pull: PullRequestInfo, why: string, appEmail: string): Promise<void> {
  const head = await platform.branchHead(repo, UPDATE_BRANCH);
  if (head && !isAppHead(head, readMarker(pull.body)?.head, appEmail)) {
    await commentOnce(platform, repo, pull.number, BRANCH_KEPT_MARKER, [
      why,
      `\`${UPDATE_BRANCH}\` has commits from someone other than template-drift, so the app leaves the branch as it is.`,
      DELETE_IT_YOURSELF,
    ]);
    await platform.updatePull(repo, pull.number, { state: 'closed' });
    return;
  }
  await platform.comment(repo, pull.number, why);
  await platform.updatePull(repo, pull.number, { state: 'closed' });
  if (head) await platform.deleteBranch(repo, UPDATE_BRANCH);
}

/**
 * After the update (or onboarding) PR was merged, deletes its branch when it still points at the merged head:
 * everything on it is then in the default branch. Commits pushed after the merge stay, said once.
 */
export async function deleteMergedBranch(platform: Platform, repo: RepoId, merged: { number: number; headSha: string }, branch = UPDATE_BRANCH): Promise<void> {
  const head = await platform.branchHead(repo, branch);
  if (!head) return; // deleted on merge by GitHub's setting, or by a person
  if (head.sha === merged.headSha) {
    await platform.deleteBranch(repo, branch);
    return;
  }
  await commentOnce(platform, repo, merged.number, BRANCH_KEPT_MARKER, [
    `\`${branch}\` has commits pushed after this PR was merged, so the app leaves the branch as it is.`,
    DELETE_IT_YOURSELF,
  ]);
}
