import type { Answers } from '../engine/answers-file.js';
import { ANSWERS_FILE, updateAnswersText } from '../engine/answers-file.js';
import type { FileMap } from '../engine/file-map.js';
import type { Merger } from '../engine/merger.js';
import { managedPaths, planUpdate, type PlannedChange } from '../engine/plan-update.js';
import { renderSnapshot, type RenderedSnapshot } from '../engine/render-snapshot.js';
import type { RepoIdentity } from '../engine/resolve-variables.js';
import { latestVersionTag } from '../engine/template-versions.js';
import { UserError } from '../engine/user-error.js';
import type { ResolvedRef, TemplateRepository } from '../git/template-store.js';

export interface PrepareUpdateInput {
  readonly template: TemplateRepository;
  readonly answers: Answers;
  /** The answers file as written, so the rewrite keeps comments and unknown keys. */
  readonly answersText: string;
  /** A tag, branch or SHA; the highest release tag when absent. */
  readonly targetRef?: string;
  readonly repo: RepoIdentity;
  /**
   * Reads the repository's files at the given paths (the checkout, or a clone's tree). `known`
   * holds the rendered template at base and target, whose bytes a reader may reuse when its
   * blob ids match instead of downloading the same content.
   */
  readonly readOurs: (paths: readonly string[], known: readonly FileMap[]) => Promise<FileMap>;
  readonly merger: Merger;
}

export interface PreparedUpdate {
  /** The template as people see it (credentials removed). */
  readonly template: string;
  /** template.yml's `name` at the target. */
  readonly templateName: string;
  readonly from?: string;
  readonly fromCommit?: string;
  readonly to: string;
  readonly toCommit: string;
  /** Every path the update writes, deletes, or reports. */
  readonly changes: readonly PlannedChange[];
  readonly answersText: string;
  /** True when applying this changes nothing at all, answers file included. */
  readonly upToDate: boolean;
}

/**
 * Computes a whole update without writing anything:
 * 1. resolve the target (the named ref, or the highest release tag) and the base (the answers' commit);
 * 2. render the template at the target and at the base with the repository's answers;
 * 3. read the repository's files, only at the paths the template manages;
 * 4. plan each path (enforce / merge / scaffold / ignore), merging text with git;
 * 5. rewrite the answers file for the new version.
 */
export async function prepareUpdate(input: PrepareUpdateInput): Promise<PreparedUpdate> {
  const { template, answers } = input;
  const target = await resolveTarget(template, input.targetRef, answers.prereleases);
  const base = await resolveBase(template, answers);

  const theirs = renderSnapshot({
    files: await template.read(target.commit),
    ref: target.ref,
    answers: answers.variables,
    repo: input.repo,
    ignore: answers.ignore,
  });
  const baseOutput = base
    ? renderSnapshot({ files: await template.read(base.commit), ref: base.ref, answers: answers.variables, repo: input.repo }).output
    : new Map();
  refuseAnswersFileOutput(theirs);

  const paths = managedPaths(baseOutput, theirs.output);
  const changes = await planUpdate({
    base: baseOutput,
    theirs: theirs.output,
    ours: await input.readOurs(paths, [baseOutput, theirs.output]),
    policyOf: theirs.policyOf,
    merger: input.merger,
    labels: { ours: 'repository', base: `template ${base?.ref ?? '(none)'}`, theirs: `template ${target.ref}` },
  });

  const newVariables = Object.fromEntries(
    theirs.variables.defaulted.filter((name) => !(name in answers.variables)).map((name) => [name, theirs.variables.values[name]!]),
  );
  const answersText = updateAnswersText(input.answersText, { version: target.ref, commit: target.commit, newVariables });
  const writes = changes.filter((change) => change.action !== 'keep' || change.conflict);
  return {
    template: template.location.display,
    templateName: theirs.manifest.name,
    ...(answers.version !== undefined && { from: answers.version }),
    ...(base && { fromCommit: base.commit }),
    to: target.ref,
    toCommit: target.commit,
    changes,
    answersText,
    upToDate: writes.length === 0 && answersText === input.answersText,
  };
}

export async function resolveTarget(template: TemplateRepository, ref: string | undefined, prereleases: boolean): Promise<ResolvedRef> {
  if (ref !== undefined) return template.resolve(ref);
  const latest = latestVersionTag(await template.tags(), prereleases);
  if (!latest) {
    throw new UserError(`Template ${template.location.display} has no release tags (like v1.0.0); name a ref with --to`);
  }
  return template.resolve(latest);
}

async function resolveBase(template: TemplateRepository, answers: Answers): Promise<ResolvedRef | undefined> {
  if (answers.commit) return { ref: answers.version ?? answers.commit, commit: answers.commit };
  if (answers.version) return template.resolve(answers.version);
  return undefined;
}

/** The answers file is each repository's own record: a template may not write it. */
export function refuseAnswersFileOutput(snapshot: RenderedSnapshot): void {
  if (snapshot.output.has(ANSWERS_FILE)) {
    throw new UserError(`The template renders ${ANSWERS_FILE}, which belongs to each repository; exclude it in template.yml`);
  }
}
