import { isAnswersFile, type AnswersFile } from './answers-document.js';
import { CRUFT_FILE } from './cruft-file.js';
import type { FileEntry } from './file-map.js';
import type { PolicyOf } from './file-rules.js';
import { inlineCode } from './markdown-text.js';
import type { TemplateDialect } from './render-snapshot.js';

/** The check run's name on pull requests: a contract (branch protection rules name it). */
export const CHECK_NAME = 'Template drift';

export const ENFORCED_MESSAGE = 'managed by the template: the next update replaces this change — change the template, or add the path to `ignore`';

/**
 * GitHub takes at most 50 annotations per create or update request; more are sent in further
 * updates, which append: https://docs.github.com/rest/checks/runs#update-a-check-run
 */
export const ANNOTATIONS_PER_REQUEST = 50;

/** Paths listed in the summary before it says "and N more" (the summary holds at most 65,535 characters). */
const SUMMARY_PATHS = 200;

/** One file a pull request changes, as GitHub's PR files list names it. */
export interface ChangedFile {
  readonly path: string;
  /** A renamed file's old path. */
  readonly previousPath?: string;
  readonly status: string;
}

export interface EnforcedChange {
  readonly path: string;
  readonly status: string;
}

/**
 * The changed files the template enforces: paths the rendered template produces whose policy is
 * `enforce` (the repository's `ignore` already applied). A path the template does not produce
 * is left out: no update replaces it. A rename counts for whichever of its paths is enforced
 * (moving an enforced file away deletes it, and the update puts it back).
 */
export function enforcedChanges(files: readonly ChangedFile[], output: ReadonlyMap<string, FileEntry>, policyOf: PolicyOf): EnforcedChange[] {
  const enforced = (path: string | undefined): path is string => path !== undefined && !isAnswersFile(path) && output.has(path) && policyOf(path) === 'enforce';
  const found: EnforcedChange[] = [];
  for (const file of files) {
    if (enforced(file.path)) found.push({ path: file.path, status: file.status });
    else if (enforced(file.previousPath)) found.push({ path: file.previousPath, status: 'removed' });
  }
  return found;
}

export interface CheckAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'warning';
  readonly title: string;
  readonly message: string;
}

export interface CheckOutput {
  readonly title: string;
  readonly summary: string;
}

export interface CheckReportInput {
  readonly changes: readonly EnforcedChange[];
  /** The template as people see it, and the version its rules were read at. */
  readonly template: string;
  readonly version: string;
  /** Where the repository records its answers (and what the template stops managing). */
  readonly answersFile: AnswersFile;
  readonly dialect: TemplateDialect;
  /** GitHub lists at most 3,000 files of a pull request: more were changed than were seen. */
  readonly truncated: boolean;
}

/** The check run's title and summary (the annotations go with it, in batches). */
export function checkOutput(input: CheckReportInput): CheckOutput {
  const count = input.changes.length;
  const files = `${count} file${count === 1 ? '' : 's'}`;
  const listed = input.changes.slice(0, SUMMARY_PATHS).map((change) => `- ${inlineCode(change.path)}${change.status === 'removed' ? ' (removed)' : ''}`);
  const more = count > SUMMARY_PATHS ? [`- …and ${count - SUMMARY_PATHS} more`] : [];
  return {
    title: `${files} managed by the template`,
    summary: [
      `This pull request changes ${files} that ${inlineCode(input.template)} enforces (${input.dialect === 'cookiecutter' ? '`_template_drift.enforce` in its `cookiecutter.json`' : '`files.enforce` in its `template.yml`'}, at ${input.version}):`,
      '',
      ...listed,
      ...more,
      '',
      'The next template update puts each of them back exactly as the template renders it, so these changes will not last. ' +
        `To keep a change, make it in the template, or add the path to \`${input.answersFile === CRUFT_FILE ? 'skip' : 'ignore'}\` in \`${input.answersFile}\` so the template stops managing it here.`,
      ...(input.truncated ? ['', 'GitHub lists only the first 3,000 files of a pull request; files past those were not checked.'] : []),
    ].join('\n'),
  };
}

/** One annotation per enforced file, in batches GitHub accepts. */
export function annotationBatches(changes: readonly EnforcedChange[]): CheckAnnotation[][] {
  const annotations = changes.map((change): CheckAnnotation => ({
    path: change.path, start_line: 1, end_line: 1, annotation_level: 'warning', title: 'Managed by the template', message: ENFORCED_MESSAGE,
  }));
  const batches: CheckAnnotation[][] = [];
  for (let start = 0; start < annotations.length; start += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(start, start + ANNOTATIONS_PER_REQUEST));
  return batches;
}
