import {
  CONFLICT_LABEL, pullRequestBody, pullRequestTitle, UPDATE_BRANCH, UPDATE_LABEL,
} from '../engine/pull-request-text.js';
import { isCanary, rolloutNote, waveOf } from '../engine/rollout.js';
import type { Platform, PullRequestInfo, RepoId } from '../github/platform.js';
import { commentOnce } from './comment-once.js';
import type { Log } from './log.js';
import type { AppTemplate } from './open-template.js';
import type { PreparedUpdate } from './prepare-update.js';
import { releaseNotesBetween } from './release-notes.js';

export interface EnsurePullInput {
  readonly repo: RepoId;
  readonly defaultBranch: string;
  readonly openPull: PullRequestInfo | undefined;
  readonly update: PreparedUpdate;
  readonly template: AppTemplate;
  readonly releaseNotesFrom: string | undefined;
  /** The commit now on the update branch, recorded in the marker as the app's own. */
  readonly head: string;
  readonly log: Log;
}

const HANDS_OFF_MARKER = '<!-- template-drift-hands-off -->';

/**
 * Ensures the one update PR: refreshes the open one (title, body, labels) or creates it, as a
 * draft when it carries conflicts. Never a second PR: `createPull` turns GitHub's "already
 * exists" into an update of that PR.
 */
export async function ensureUpdatePull(platform: Platform, input: EnsurePullInput): Promise<PullRequestInfo> {
  const { repo, update, template } = input;
  const conflicts = update.changes.filter((change) => change.conflict).length;
  const releaseNotes = await releaseNotesBetween(template, input.releaseNotesFrom, update.to, input.log);
  const title = pullRequestTitle(template.name, update.to);
  const body = pullRequestBody({
    templateName: template.name,
    templateUrl: template.htmlUrl,
    marker: {
      template: template.repository.location.display, from: update.from ?? null, to: update.to, head: input.head,
      ...(update.rollout && isCanary(update.rollout, repo) && { wave: 'canary' as const }),
    },
    changes: update.changes,
    releaseNotes,
    changedAnswers: update.changedAnswers,
    targetCommit: update.toCommit,
    ...(update.rollout && { rolloutNote: rolloutNote(update.rollout, waveOf(update.rollout, repo), update.to) }),
  });

  let pull: PullRequestInfo;
  if (input.openPull) {
    const stale = input.openPull.title !== title || input.openPull.body !== body;
    pull = stale ? await platform.updatePull(repo, input.openPull.number, { title, body }) : input.openPull;
  } else {
    pull = await platform.createPull(repo, { title, body, head: UPDATE_BRANCH, base: input.defaultBranch, draft: conflicts > 0 });
  }

  const wanted = conflicts > 0 ? [UPDATE_LABEL, CONFLICT_LABEL] : [UPDATE_LABEL];
  const missing = wanted.filter((label) => !pull.labels.includes(label));
  if (missing.length > 0) await platform.addLabels(repo, pull.number, missing);
  if (conflicts === 0 && pull.labels.includes(CONFLICT_LABEL)) await platform.removeLabel(repo, pull.number, CONFLICT_LABEL);
  return pull;
}

/** Says once, in the PR, that the app stopped rewriting a branch a person pushed to. */
export async function warnHandsOff(platform: Platform, repo: RepoId, pullNumber: number): Promise<void> {
  await commentOnce(platform, repo, pullNumber, HANDS_OFF_MARKER, [
    `Someone other than template-drift pushed to \`${UPDATE_BRANCH}\`, so the app will not rewrite this branch any more.`,
    'Merge or close this PR as it is; to let the app take over again, delete the branch and comment `/sync-template`.',
  ]);
}
