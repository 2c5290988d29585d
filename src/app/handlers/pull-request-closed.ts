import type { Context } from 'probot';
import { readOnboardingMarker } from '../../engine/onboarding-text.js';
import { ONBOARDING_BRANCH, UPDATE_BRANCH } from '../../engine/pull-request-text.js';
import { readMarker } from '../../engine/update-marker.js';
import type { AppRuntime } from '../runtime.js';

/**
 * The update PR (or the onboarding PR) was merged: the answers file on the default branch now records the version, so
 * only the branch is left to delete (unless someone pushed to it after the merge). Closed unmerged: nothing to do now; the closed PR's marker
 * is the record that the version was declined, and the branch stays so the PR can be reopened.
 * A merged canary's PR may be the last one a release's second wave waits for.
 * Either way the fleet inventory hears of it (a PR the app closed itself is its update's to report).
 * Each of these is a job of its own.
 */
export function onPullRequestClosed(runtime: AppRuntime) {
  return async (context: Context<'pull_request.closed'>): Promise<void> => {
    const { installation, repository, pull_request: pull } = context.payload;
    if (!installation || pull.head.repo?.full_name !== repository.full_name) return;
    const common = { installationId: installation.id, repo: { owner: repository.owner.login, repo: repository.name }, reason: 'merge', explicit: false } as const;
    // The app's own PRs only, known by branch and hidden marker.
    if (pull.merged && pull.head.ref === ONBOARDING_BRANCH && readOnboardingMarker(pull.body)) {
      await runtime.queue.enqueue({ ...common, kind: 'delete-update-branch', pull: { number: pull.number, headSha: pull.head.sha, onboarding: true } });
      return;
    }
    const marker = pull.head.ref === UPDATE_BRANCH ? readMarker(pull.body) : undefined;
    if (!marker) return;
    if (pull.merged || context.payload.sender.type !== 'Bot') {
      await runtime.queue.enqueue({ ...common, kind: 'update-closed', targetRef: marker.to, pull: { number: pull.number, merged: pull.merged, url: pull.html_url } });
    }
    if (!pull.merged) return;
    await runtime.queue.enqueue({ ...common, kind: 'delete-update-branch', pull: { number: pull.number, headSha: pull.head.sha } });
    if (marker.wave === 'canary') await runtime.queue.enqueue({ ...common, kind: 'canary-merged', targetRef: marker.to, template: marker.template });
  };
}
