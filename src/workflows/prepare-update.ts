import { isDeepStrictEqual } from 'node:util';
import type { Answers } from '../engine/answers-file.js';
import { ANSWERS_FILES, rewriteAnswersFile, type AnswersFile } from '../engine/answers-document.js';
import { ANSWERS_FILE } from '../engine/answers-file.js';
import type { FileMap } from '../engine/file-map.js';
import type { Merger } from '../engine/merger.js';
import { managedPaths, planUpdate, type PlannedChange } from '../engine/plan-update.js';
import type { PolicyOf } from '../engine/file-rules.js';
import type { RenderedSnapshot, SnapshotRenderer, SnapshotRequest } from '../engine/render-snapshot.js';
import type { RepoIdentity } from '../engine/resolve-variables.js';
import { isUserError, UserError } from '../engine/user-error.js';
import type { ResolvedRef, TemplateRepository } from '../git/template-store.js';
import type { RecordedAnswers } from './recorded-answers.js';
import { afterHooks, type HooksPolicy } from './template-hooks.js';
import { templateVersion } from './template-version.js';
import { latestRelease, recordedRef, updateTarget } from './update-target.js';
import type { Rollout } from '../engine/rollout.js';

export interface PrepareUpdateInput {
  readonly template: TemplateRepository;
  readonly answers: Answers;
  /** The answers file as written, so the rewrite keeps comments and unknown keys. */
  readonly answersText: string;
  /** Which answers file that is (the native one by default, or cruft's `.cruft.json`): the rewrite keeps its format. */
  readonly answersFile?: AnswersFile;
  /** Whether the template's hooks may run (cookiecutter's); a template with hooks is refused without a runner. */
  readonly hooks?: HooksPolicy;
  /** A tag, branch or SHA; the highest release tag when absent. */
  readonly targetRef?: string;
  /** Go to an older `targetRef` than the recorded version (otherwise a DowngradeError). */
  readonly allowDowngrade?: boolean;
  /** How the person asking names a ref (`--to`, `/sync-template <ref>`), for the message when the template has no release. */
  readonly refHint?: string;
  /**
   * The answers the recorded version was applied with (from the answers file's history): the
   * base is rendered with them. Absent: today's answers, as when there is no history.
   */
  readonly recorded?: RecordedAnswers;
  /** `--var k=v`: new answers, applied to the target and written into the answers file. */
  readonly overrides?: Readonly<Record<string, string>>;
  readonly repo: RepoIdentity;
  /**
   * Reads the repository's files at the given paths (the checkout, or a clone's tree). `known`
   * holds the rendered template at base and target, whose bytes a reader may reuse when its
   * blob ids match instead of downloading the same content.
   */
  readonly readOurs: (paths: readonly string[], known: readonly FileMap[]) => Promise<FileMap>;
  readonly merger: Merger;
  /** Renders each template version (base and target apart), within its limits. */
  readonly render: SnapshotRenderer;
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
  /** Variables whose value at the target differs from the one the base was rendered with. */
  readonly changedAnswers: readonly string[];
  /** False when the answers file had no history, so the base was rendered with today's answers. */
  readonly answersFromHistory: boolean;
  /** True when applying this changes nothing at all, answers file included. */
  readonly upToDate: boolean;
  /** template.yml's `rollout:` at the target: the PR says which wave the repository is in. */
  readonly rollout?: Rollout;
}

/**
 * Computes a whole update without writing anything:
 * 1. resolve the target (the named ref, or the highest release tag; never backwards unless
 *    allowed) and the base (the answers' commit);
 * 2. render the target with today's answers (and `--var`), the base with the answers recorded
 *    when it was applied, so a changed answer is a change of the template's output;
 * 3. read the repository's files, only at the paths the template manages;
 * 4. plan each path (enforce / merge / scaffold / ignore), merging text with git;
 * 5. rewrite the answers file for the new version.
 */
export async function prepareUpdate(input: PrepareUpdateInput): Promise<PreparedUpdate> {
  const { template, answers } = input;
  const target = await updateTarget(template, answers, {
    ...(input.targetRef !== undefined && { ref: input.targetRef }),
    ...(input.allowDowngrade !== undefined && { allowDowngrade: input.allowDowngrade }),
    ...(input.refHint !== undefined && { refHint: input.refHint }),
  });
  const base = await recordedRef(template, answers);
  // Both versions are read side by side; the target's failure, if any, is still the one reported.
  const targetRead = template.read(target.commit);
  const baseRead = base && template.read(base.commit);
  baseRead?.catch(() => undefined);
  const targetFiles = await targetRead;
  const baseFiles = await baseRead;

  // Hooks run on both renders (base and target), each in a temporary folder of its own. The two
  // versions render side by side (a cookiecutter version in a process of its own); the target's
  // failure, if any, is still the one reported.
  const keepHooks = { ...(input.hooks && { keepHooks: true }) };
  const targetRender = templateVersion(template, target, targetFiles).then((version) => input.render({
    ...version,
    answers: answers.variables,
    ...(input.overrides && { overrides: input.overrides }),
    repo: input.repo,
    ignore: answers.ignore,
    ...keepHooks,
  }));
  const baseRender = base && templateVersion(template, base, baseFiles).then((version) =>
    renderBase(input.render, { ...version, repo: input.repo, ignore: answers.ignore, ...keepHooks }, input.recorded?.variables ?? answers.variables, answers.variables));
  baseRender?.catch(() => undefined);
  const theirs = await afterHooks(await targetRender, input.hooks);
  const baseSnapshot = baseRender ? await afterHooks(await baseRender, input.hooks) : undefined;
  const baseOutput = baseSnapshot?.output ?? new Map();
  refuseAnswersFileOutput(theirs);

  const paths = managedPaths(baseOutput, theirs.output);
  const changes = await planUpdate({
    base: baseOutput,
    theirs: theirs.output,
    ours: await input.readOurs(paths, [baseOutput, theirs.output]),
    policyOf: baseSnapshot ? withBaseRulesForDropped(theirs.policyOf, baseSnapshot) : theirs.policyOf,
    merger: input.merger,
    labels: { ours: 'repository', base: `template ${base?.ref ?? '(none)'}`, theirs: `template ${target.ref}` },
  });

  const newVariables = Object.fromEntries(
    theirs.variables.defaulted.filter((name) => !(name in answers.variables)).map((name) => [name, theirs.variables.values[name]!]),
  );
  const setVariables = Object.fromEntries(Object.keys(input.overrides ?? {}).map((name) => [name, theirs.variables.values[name]!]));
  const answered = new Set([...Object.keys(input.recorded?.variables ?? {}), ...Object.keys(answers.variables), ...Object.keys(setVariables)]);
  const changedAnswers = [...answered].filter((name) => baseSnapshot && name in baseSnapshot.variables.values && name in theirs.variables.values &&
    !isDeepStrictEqual(baseSnapshot.variables.values[name], theirs.variables.values[name]));
  const answersText = rewriteAnswersFile(input.answersFile ?? ANSWERS_FILE, input.answersText, {
    version: target.ref, commit: target.commit, newVariables, setVariables, answersChanged: changedAnswers.length > 0,
    variables: theirs.variables.values,
  });
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
    changedAnswers,
    answersFromHistory: input.recorded?.fromHistory ?? false,
    upToDate: writes.length === 0 && answersText === input.answersText,
    ...(theirs.manifest.rollout && { rollout: theirs.manifest.rollout }),
  };
}

/**
 * The base: the recorded version rendered with the recorded answers. Should those no longer
 * render (a version of the answers file a person wrote by hand, say), today's answers stand in,
 * as they did before answers had a history.
 */
async function renderBase(
  render: SnapshotRenderer,
  input: Omit<SnapshotRequest, 'answers'>,
  recorded: Readonly<Record<string, unknown>>,
  today: Readonly<Record<string, unknown>>,
): Promise<RenderedSnapshot> {
  try {
    return await render({ ...input, answers: recorded });
  } catch (error) {
    if (!isUserError(error) || recorded === today) throw error;
    return render({ ...input, answers: today });
  }
}

/**
 * A path the base produced but the target now excludes (the `ci` answer changed, or a new
 * version stopped rendering it) has left the template's output: it follows the rules it had at
 * the base, so it is deleted when unchanged here and reported when changed, as copier does.
 */
function withBaseRulesForDropped(policyOf: PolicyOf, base: RenderedSnapshot): PolicyOf {
  return (path) => {
    const policy = policyOf(path);
    return policy === 'exclude' && base.output.has(path) ? base.policyOf(path) : policy;
  };
}

/** What `init` and `render` render: the ref given with `--ref`, or the latest release. */
export async function resolveTarget(template: TemplateRepository, ref: string | undefined, prereleases: boolean): Promise<ResolvedRef> {
  return template.resolve(ref ?? (await latestRelease(template, prereleases, '--ref')));
}

/** The answers files are each repository's own record: a template may not write them. */
export function refuseAnswersFileOutput(snapshot: RenderedSnapshot): void {
  const written = ANSWERS_FILES.find((path) => snapshot.output.has(path));
  if (written) {
    const where = snapshot.dialect === 'cookiecutter' ? "cookiecutter.json's _template_drift" : 'template.yml';
    throw new UserError(`The template renders ${written}, which belongs to each repository; exclude it in ${where}`);
  }
}
