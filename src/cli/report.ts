import type { PlannedChange } from '../engine/plan-update.js';
import type { TemplateCopy } from '../engine/template-copies.js';
import type { PreparedUpdate } from '../workflows/prepare-update.js';
import { paint, type Output } from './output.js';

/** Changes a person has to see: everything written, and every conflict (even one that keeps ours). */
export function reportedChanges(update: PreparedUpdate): PlannedChange[] {
  return update.changes.filter((change) => change.action !== 'keep' || change.conflict);
}

/** The `--json` shape of `check` and `update`; scripts rely on these field names. */
export function updateJson(update: PreparedUpdate, templateCopies: readonly TemplateCopy[]) {
  const copies = writtenCopies(templateCopies);
  return {
    template: update.template,
    templateName: update.templateName,
    from: update.from ?? null,
    to: update.to,
    fromCommit: update.fromCommit ?? null,
    toCommit: update.toCommit,
    upToDate: update.upToDate,
    changedAnswers: update.changedAnswers,
    answersFromHistory: update.answersFromHistory,
    changes: reportedChanges(update).map((change) => ({
      path: change.path,
      action: change.action === 'keep' ? change.templateAction : change.action,
      mode: (change.after ?? change.before)?.mode ?? null,
      conflict: change.conflict,
      policy: change.policy,
      outcome: change.outcome,
      reason: change.reason,
      // Where `update` puts (or put) the template's version of a conflict that keeps the local file.
      templateCopy: copies.get(change.path) ?? null,
    })),
  };
}

/** One line per change, for people. */
export function describeUpdate(update: PreparedUpdate, output: Output, templateCopies: readonly TemplateCopy[]): string {
  const c = paint(output);
  const from = update.from ?? '(never updated)';
  const lines: string[] = [];
  // Without history a changed answer looks like a local edit: say why one may go unseen.
  const note = update.fromCommit && !update.answersFromHistory
    ? c.dim('  (the answers file has no git history here, so the base was rendered with today\'s answers: commit it to see changed answers)')
    : undefined;
  if (update.upToDate) {
    lines.push(`In line with ${update.templateName} ${update.to}.`);
    if (note) lines.push(note);
    return lines.join('\n');
  }
  const answers = update.changedAnswers.length > 0 ? `changed answers (${update.changedAnswers.join(', ')})` : '';
  if (from !== update.to) lines.push(`${update.templateName} ${from} → ${update.to}${answers && `, ${answers}`}:`);
  else lines.push(answers ? `${update.templateName} ${update.to} with ${answers}:` : `Drifted from ${update.templateName} ${update.to}:`);
  const changes = reportedChanges(update);
  for (const change of changes) {
    const label = (change.conflict ? 'conflict' : change.action).padEnd(8);
    const colored = change.conflict || change.action === 'delete' ? c.red(label) : c.green(label);
    lines.push(`  ${colored}  ${change.path}  ${c.dim(`(${change.reason}${copyNote(change.path, templateCopies, 'goes to')})`)}`);
  }
  if (changes.length === 0) lines.push('  no file changes; the answers file records the new version');
  if (note) lines.push(note);
  return lines.join('\n');
}

/** `update`'s closing lines: one per conflict, saying where the template's side is when the local file was kept. */
export function conflictLines(update: PreparedUpdate, templateCopies: readonly TemplateCopy[]): string {
  return update.changes.filter((change) => change.conflict)
    .map((change) => `CONFLICT ${change.path}: ${change.reason}${copyNote(change.path, templateCopies, 'is in')}`).join('\n');
}

function copyNote(path: string, copies: readonly TemplateCopy[], verb: string): string {
  const copy = copies.find((candidate) => candidate.of === path);
  if (!copy) return '';
  return copy.blocked ? `; the template's version is not written beside it: ${copy.path} already exists` : `; the template's version ${verb} ${copy.path}`;
}

function writtenCopies(copies: readonly TemplateCopy[]): Map<string, string> {
  return new Map(copies.filter((copy) => !copy.blocked).map((copy) => [copy.of, copy.path]));
}
