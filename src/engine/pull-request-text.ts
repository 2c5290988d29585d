import { ANSWERS_FILE } from './answers-file.js';
import { escapeCell, escapeHtml } from './markdown-text.js';
import type { PlannedChange } from './plan-update.js';
import { templateSideSection } from './template-side-text.js';
import { formatMarker, type UpdateMarker } from './update-marker.js';

export interface ReleaseNote {
  readonly tag: string;
  readonly name: string;
  readonly body: string;
  readonly url: string;
}

export interface PullRequestTextInput {
  /** The template repository's name as people know it (`django-service-template`). */
  readonly templateName: string;
  readonly templateUrl: string;
  readonly marker: UpdateMarker;
  readonly changes: readonly PlannedChange[];
  /** Releases after `from` up to and including `to`, oldest first. */
  readonly releaseNotes: readonly ReleaseNote[];
  /** Variables whose answer changed since `from` was applied: the update carries that change too. */
  readonly changedAnswers?: readonly string[];
  /** The template commit the update goes to: where the template's side of a conflict can be fetched from. */
  readonly targetCommit?: string;
  /** Which wave of a canary rollout this repository is in (`rolloutNote`). */
  readonly rolloutNote?: string;
}

export const UPDATE_LABEL = 'template-drift';
export const CONFLICT_LABEL = 'template-drift:conflicts';
export const UPDATE_BRANCH = 'template-drift/update';
/** The branch of the pull request that sets up a repository made with "Use this template". */
export const ONBOARDING_BRANCH = 'template-drift/onboarding';

export function commitMessage(templateName: string, to: string): string {
  return `chore(template): update ${templateName} to ${to}\n\nTemplate-Drift-Update: ${to}`;
}

export function pullRequestTitle(templateName: string, to: string): string {
  return `Update ${templateName} to ${to}`;
}

/** What a change means for a reviewer, in the table's words. */
export function changeStatus(change: PlannedChange): string {
  if (change.conflict) return 'conflict';
  if (change.action === 'keep') return 'kept local';
  return { add: 'added', update: 'updated', delete: 'deleted' }[change.action];
}

/** The PR body: the file table, release notes, what to do about conflicts, and the hidden marker. */
export function pullRequestBody(input: PullRequestTextInput): string {
  const { marker } = input;
  const conflicts = input.changes.filter((change) => change.conflict);
  const sections: string[] = [];
  const from = marker.from ? `\`${marker.from}\`` : 'its first recorded version';
  sections.push(`This updates the files generated from [${input.templateName}](${input.templateUrl}) from ${from} to \`${marker.to}\`, merging the template's changes with this repository's own edits.`);
  const changed = input.changedAnswers ?? [];
  if (changed.length > 0) {
    sections.push(`It also applies the answers changed in \`${ANSWERS_FILE}\` since ${from} was applied: ${changed.map((name) => `\`${name}\``).join(', ')}. ` +
      'Files the old values produced are removed or renamed where this repository did not change them.');
  }
  if (input.rolloutNote) sections.push(input.rolloutNote);

  sections.push(['### Files', '', '| File | Change | Why |', '| --- | --- | --- |',
    ...input.changes.map((change) => `| \`${escapeCell(change.path)}\` | ${changeStatus(change)} | ${escapeCell(change.reason)} |`)].join('\n'));

  if (conflicts.length > 0) {
    sections.push(['### Conflicts', '',
      'Git could not merge these files on its own. Files with conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`) need the markers resolved on this branch; files marked "kept local" kept this repository\'s version and need a look by hand:',
      '', ...conflicts.map((change) => `- \`${change.path}\`: ${change.reason}`), '',
      'Check out this branch, fix the files, and push: the app will then leave the branch alone. An update PR that starts with conflicts opens as a draft; mark it ready for review once they are resolved.'].join('\n'));
    const templateSide = templateSideSection(conflicts, { templateUrl: input.templateUrl, ...(input.targetCommit && { targetCommit: input.targetCommit }) });
    if (templateSide) sections.push(templateSide);
  }

  if (input.releaseNotes.length > 0) {
    sections.push(['### Release notes', '', ...input.releaseNotes.map((note) =>
      `<details><summary><a href="${note.url}">${escapeHtml(note.name || note.tag)}</a></summary>\n\n${note.body.trim() || '_No notes._'}\n\n</details>`)].join('\n'));
  }

  sections.push(['### Commands', '',
    'Comment on this PR (write access needed):',
    '- `/sync-template`: recompute this update against the latest template release',
    '- `/sync-template <tag>`: update to a given template tag or branch',
    '', 'Closing this PR unmerged declines this version: no new PR comes until a newer release or a `/sync-template`.'].join('\n'));

  sections.push(formatMarker(marker));
  return sections.join('\n\n');
}
