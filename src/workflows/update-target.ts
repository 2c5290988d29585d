import semver from 'semver';
import type { Answers } from '../engine/answers-file.js';
import { latestVersionTag, tagVersion } from '../engine/template-versions.js';
import { UserError } from '../engine/user-error.js';
import { isCookiecutter } from './template-version.js';
import type { ResolvedRef, TemplateRepository } from '../git/template-store.js';

/**
 * A named target older than the version the repository records. The CLI refuses it (exit 2)
 * unless `--allow-downgrade`; the app never goes back, and says which version is recorded.
 */
export class DowngradeError extends UserError {
  constructor(readonly target: string, readonly recorded: string) {
    super(`${target} is older than ${recorded}, the version this repository records: updating to it would be a downgrade. ` +
      'Pass --allow-downgrade to go back deliberately');
  }
}

export interface TargetOptions {
  /** A tag, branch or SHA a person named; the highest release tag when absent. */
  readonly ref?: string;
  readonly allowDowngrade?: boolean;
  /** How the person asking names a ref, for the message when there is no release: `--to` (the CLI's update commands) by default. */
  readonly refHint?: string;
}

/**
 * The highest release tag (prereleases only when asked); a cookiecutter template without one
 * follows its default branch, as cruft does. A template without one otherwise is a UserError
 * that says how to name a ref instead, in the words of whoever asked: `--to` for `check`,
 * `diff` and `update`, `--ref` for `init` and `render`, a `/sync-template <ref>` comment in the app.
 */
export async function latestRelease(template: TemplateRepository, prereleases: boolean, refHint = '--to'): Promise<string> {
  const latest = latestVersionTag(await template.tags(), prereleases) ?? (await cookiecutterDefaultBranch(template));
  if (!latest) {
    throw new UserError(`Template ${template.location.display} has no release tags (like v1.0.0); name a ref with ${refHint}`);
  }
  return latest;
}

/** A cookiecutter template without release tags follows its default branch, as cruft does. */
async function cookiecutterDefaultBranch(template: TemplateRepository): Promise<string | undefined> {
  const branch = await template.defaultBranch();
  if (!branch) return undefined;
  return isCookiecutter(await template.read((await template.resolve(branch)).commit)) ? branch : undefined;
}

/**
 * Where an update goes, never backwards by accident:
 * - a named ref, unless it is older than the recorded version (refused, unless allowed);
 * - otherwise the highest release tag, unless the recorded version is already past it (a
 *   prerelease, or a branch ahead of every release): then the recorded version itself, so the
 *   update only repairs drift.
 * Versions are ordered as semver when both refs are versions, otherwise by commit ancestry in
 * the template's history (a branch or SHA behind the recorded commit is older).
 */
export async function updateTarget(template: TemplateRepository, answers: Answers, options: TargetOptions = {}): Promise<ResolvedRef> {
  const recorded = await recordedRef(template, answers);
  if (options.ref !== undefined) {
    const target = await template.resolve(options.ref);
    if (recorded && !options.allowDowngrade && (await isOlder(template, target, recorded))) {
      throw new DowngradeError(target.ref, recorded.ref);
    }
    return target;
  }
  const target = await template.resolve(await latestRelease(template, answers.prereleases, options.refHint));
  return recorded && (await isOlder(template, target, recorded)) ? recorded : target;
}

/** The version the answers file records (`commit` wins over what `version` resolves to today). */
export async function recordedRef(template: TemplateRepository, answers: Answers): Promise<ResolvedRef | undefined> {
  if (answers.commit) return { ref: answers.version ?? answers.commit, commit: answers.commit };
  if (answers.version) return template.resolve(answers.version);
  return undefined;
}

async function isOlder(template: TemplateRepository, target: ResolvedRef, recorded: ResolvedRef): Promise<boolean> {
  if (target.commit === recorded.commit) return false;
  const [wanted, current] = [tagVersion(target.ref), tagVersion(recorded.ref)];
  if (wanted && current) return semver.lt(wanted, current);
  return template.isAncestor(target.commit, recorded.commit);
}
