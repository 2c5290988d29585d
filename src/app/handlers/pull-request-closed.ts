import type { Context } from 'probot';
import { readOnboardingMarker } from '../../engine/onboarding-text.js';
import { ONBOARDING_BRANCH, UPDATE_BRANCH } from '../../engine/pull-request-text.js';
import { readMarker } from '../../engine/update-marker.js';
import { deleteMergedBranch } from '../../workflows/close-update-pull.js';
import { secondWaveDue } from '../../workflows/release-waves.js';
import type { AppRuntime } from '../runtime.js';
import { queueFanOut } from './release-published.js';

/**
 * The update PR (or the onboarding PR) was merged: the answers file on the default branch now records the version, so
 * only the branch is left to delete (unless someone pushed to it after the merge). Closed unmerged: nothing to do now; the closed PR's marker
 * is the record that the version was declined, and the branch stays so the PR can be reopened.
 * A merged canary's PR may be the last one a release's second wave waits for.
 * Either way the fleet inventory hears of it (a PR the app closed itself is its update's to report).
 */
export function onPullRequestClosed(runtime: AppRuntime) {
  return (context: Context<'pull_request.closed'>): void => {
    const { installation, repository, pull_request: pull } = context.payload;
    if (!installation || pull.head.repo?.full_name !== repository.full_name) return;
    const repo = { owner: repository.owner.login, repo: repository.name };
    const scope = runtime.scope(context.octokit, installation.id, context.log);
    // The app's own PRs only, known by branch and hidden marker.
    if (pull.merged && pull.head.ref === ONBOARDING_BRANCH && readOnboardingMarker(pull.body)) {
      runtime.enqueueForRepository(installation.id, repo, 'delete-onboarding-branch', () => deleteMergedBranch(scope.platform, repo, { number: pull.number, headSha: pull.head.sha }, ONBOARDING_BRANCH));
      return;
    }
    const marker = pull.head.ref === UPDATE_BRANCH ? readMarker(pull.body) : undefined;
    if (!marker) return;
    if (pull.merged || context.payload.sender.type !== 'Bot') {
      void runtime.fleet.afterClose(installation.id, repo, { merged: pull.merged, url: pull.html_url, to: marker.to })
        .catch((error: unknown) => context.log.warn({ err: error }, 'could not record the closed update in the fleet'));
    }
    if (!pull.merged) return;
    runtime.enqueueForRepository(installation.id, repo, 'delete-update-branch', () => deleteMergedBranch(scope.platform, repo, { number: pull.number, headSha: pull.head.sha }));
    if (marker.wave !== 'canary') return;
    runtime.enqueueForRepository(installation.id, repo, 'second-wave-check', async () => {
      const release = await secondWaveDue(scope.platform, repo, marker, scope.fetching.sources, context.log);
      if (release) queueFanOut(runtime, context.octokit, installation.id, context.log, { ...release, wave: 'rest' });
    });
  };
}
