import type { Context } from 'probot';
import { UPDATE_BRANCH } from '../../engine/pull-request-text.js';
import { readMarker } from '../../engine/update-marker.js';
import { deleteMergedBranch } from '../../workflows/close-update-pull.js';
import type { AppRuntime } from '../runtime.js';

/**
 * The update PR was merged: the answers file on the default branch now records the version, so
 * only the branch is left to delete (unless someone pushed to it after the merge). Closed unmerged: nothing to do now; the closed PR's marker
 * is the record that the version was declined, and the branch stays so the PR can be reopened.
 */
export function onPullRequestClosed(runtime: AppRuntime) {
  return (context: Context<'pull_request.closed'>): void => {
    const { installation, repository, pull_request: pull } = context.payload;
    if (!installation || !pull.merged || pull.head.ref !== UPDATE_BRANCH) return;
    if (pull.head.repo?.full_name !== repository.full_name || !readMarker(pull.body)) return;
    const scope = runtime.scope(context.octokit, installation.id, context.log);
    const repo = { owner: repository.owner.login, repo: repository.name };
    runtime.enqueueForRepository(installation.id, repo, 'delete-update-branch', () => deleteMergedBranch(scope.platform, repo, { number: pull.number, headSha: pull.head.sha }));
  };
}
