import { Document } from 'yaml';
import { ANSWERS_FILE } from './answers-file.js';
import type { AnswerSource } from './infer-answers.js';
import { escapeCell, inlineCode } from './markdown-text.js';
import type { OnboardingPlan } from './plan-onboarding.js';
import { ONBOARDING_BRANCH } from './pull-request-text.js';
import type { VariableSpec, VariableValue } from './template-manifest.js';
import { formatHiddenJson, readHiddenJson } from './update-marker.js';

/**
 * The hidden marker of an onboarding PR: which template and release, and the commit the app
 * pushed. A closed, unmerged PR carrying it is the record that the repository opted out.
 */
export interface OnboardingMarker {
  readonly template: string;
  readonly version: string;
  readonly head?: string;
}

export function formatOnboardingMarker(marker: OnboardingMarker): string {
  return formatHiddenJson('onboarding', marker);
}

export function readOnboardingMarker(body: string | null | undefined): OnboardingMarker | undefined {
  const value = readHiddenJson('onboarding', body) as Partial<OnboardingMarker> | undefined;
  if (typeof value?.template !== 'string' || typeof value.version !== 'string') return undefined;
  return { template: value.template, version: value.version, ...(typeof value.head === 'string' && /^[0-9a-f]{40}$/.test(value.head) && { head: value.head }) };
}

/** How the release was chosen, for the body: the tree matched, or the date decided. */
export type ReleaseChoice =
  | { readonly kind: 'tree'; readonly tag: string }
  | { readonly kind: 'date'; readonly tag: string; readonly created: string }
  | { readonly kind: 'oldest'; readonly tag: string; readonly created: string };

export function onboardingTitle(templateName: string, version: string): string {
  return `Set up template-drift: follow ${templateName} from ${version}`;
}

export function onboardingCommitMessage(templateName: string, version: string): string {
  return `chore(template): render ${templateName} ${version} in place\n\nTemplate-Drift-Onboarding: ${version}`;
}

export interface AnswersFileInput {
  readonly template: string;
  readonly version: string;
  readonly commit: string;
  readonly variables: Readonly<Record<string, VariableValue>>;
  readonly questions: readonly VariableSpec[];
}

/** The onboarding's answers file: every variable's value, and each question as an empty value with what it asks. */
export function onboardingAnswersText(input: AnswersFileInput): string {
  const doc = new Document({
    template: input.template, version: input.version, commit: input.commit,
    variables: { ...input.variables, ...Object.fromEntries(input.questions.map((spec) => [spec.name, null])) },
  });
  for (const spec of input.questions) {
    const node = doc.getIn(['variables', spec.name], true) as { comment?: string } | undefined;
    if (node) node.comment = ` question: ${spec.description ?? 'required'}${spec.pattern ? ` (must match ${spec.pattern.source.slice(4, -2)})` : ''}`;
  }
  doc.commentBefore =
    ' Written by template-drift: how this repository was made from its template.\n' +
    ' `version` and `commit` are updated by the tool; edit `variables` and `ignore` as you need.';
  return doc.toString();
}

export interface OnboardingBodyInput {
  readonly templateName: string;
  readonly templateUrl: string;
  readonly marker: OnboardingMarker;
  readonly choice: ReleaseChoice;
  /** Each variable's value (undefined for a question) and where it came from. */
  readonly variables: readonly { readonly spec: VariableSpec; readonly value: VariableValue | undefined; readonly source: AnswerSource }[];
  readonly questions: readonly VariableSpec[];
  /** Absent while a question is open: nothing is rendered until every required variable has a value. */
  readonly plan?: OnboardingPlan;
}

const SOURCE_TEXT: Record<AnswerSource, string> = {
  'answers file': `set in \`${ANSWERS_FILE}\` on this branch`,
  'repository name': "the repository's name",
  default: "the template's default",
  question: '**question: needs an answer**',
};

/** The onboarding PR's body: the release and why, each variable and how to change it, the files, and the marker. */
export function onboardingBody(input: OnboardingBodyInput): string {
  const { marker, choice } = input;
  const sections: string[] = [];
  sections.push(`This repository was made from [${input.templateName}](${input.templateUrl}) with "Use this template", which copies the template's files as they are. ` +
    `This PR renders the template in place, as template-drift \`init\` would, and adds \`${ANSWERS_FILE}\`, so that the app keeps the repository in line with the template's releases from now on.`);
  sections.push(`### Release\n\n${releaseText(choice)}`);
  sections.push(['### Variables', '', '| Variable | Value | From |', '| --- | --- | --- |',
    ...input.variables.map(({ spec, value, source }) => `| \`${spec.name}\` | ${value === undefined ? '—' : inlineCode(String(value))} | ${SOURCE_TEXT[source]} |`)].join('\n'));
  if (input.questions.length > 0) {
    sections.push(['### Questions', '',
      'The template needs these answers, and nothing could be inferred for them. Until they are answered, this PR holds only the answers file, and stays a draft:', '',
      ...input.questions.map((spec) => `- \`${spec.name}\`: ${escapeCell(spec.description ?? 'required')}${spec.pattern ? ` (must match \`${spec.pattern.source.slice(4, -2)}\`)` : ''}`)].join('\n'));
  }
  sections.push(['### Changing an answer before merging', '',
    `Edit \`${ANSWERS_FILE}\` on this branch (\`${ONBOARDING_BRANCH}\`), then comment \`/sync-template\` here (write access needed): the app renders the template again with your answers and pushes the result on top of your commit. ` +
      (input.questions.length > 0 ? 'Mark the PR ready for review once it is rendered. ' : '') +
      'After merging, change an answer by editing the file on the default branch: the app then opens an update PR that applies it.'].join('\n'));
  if (input.plan) sections.push(filesSection(input.plan));
  sections.push('Merging this PR starts ordinary template updates. Closing it unmerged opts this repository out for good: the app will not offer onboarding here again (add the answers file yourself, or reopen this PR, to opt in later).');
  sections.push(formatOnboardingMarker(marker));
  return sections.join('\n\n');
}

function releaseText(choice: ReleaseChoice): string {
  switch (choice.kind) {
    case 'tree':
      return `\`${choice.tag}\`: the repository's files are exactly that release's (its tree matches the tagged commit).`;
    case 'date':
      return `\`${choice.tag}\`: the latest release published at or before the repository was created (${choice.created}). No release has exactly this repository's files: the template's default branch had changed since that release, or the repository has since.`;
    case 'oldest':
      return `\`${choice.tag}\`: the template's first release. No release has exactly this repository's files, and none came before the repository was created (${choice.created}).`;
  }
}

function filesSection(plan: OnboardingPlan): string {
  const rows = [
    ...plan.added.map((path) => [path, 'added', 'rendered from the template']),
    ...plan.replaced.map((path) => [path, 'updated', 'the copied file, now rendered']),
    ...plan.removed.map((path) => [path, 'deleted', "the template's raw file (a source, template.yml, or a file the template excludes)"]),
    ...plan.kept.map((path) => [path, 'kept', 'changed here since it was copied: kept, and merged by the first update']),
  ];
  return ['### Files', '', '| File | Change | Why |', '| --- | --- | --- |', ...rows.map(([path, change, why]) => `| \`${escapeCell(path!)}\` | ${change} | ${why} |`)].join('\n');
}
