import { parseAnswersFile } from '../engine/answers-document.js';
import { annotationBatches, CHECK_NAME, checkOutput, enforcedChanges } from '../engine/enforced-files-check.js';
import { ONBOARDING_BRANCH, UPDATE_BRANCH } from '../engine/pull-request-text.js';
import type { SnapshotRenderer } from '../engine/render-snapshot.js';
import { isMistake } from '../engine/user-error.js';
import type { GitBounds } from '../git/git-client.js';
import type { Platform, RepoId } from '../github/platform.js';
import { answersOnGitHub, type AnswersText } from './answers-on-github.js';
import type { Log } from './log.js';
import { openAppTemplate, type FetchSettings } from './open-template.js';
import { latestRelease, recordedRef } from './update-target.js';

export interface GuardRequest {
  readonly repo: RepoId;
  readonly number: number;
  readonly headSha: string;
  readonly headRef: string;
  /** `owner/repo` of the head branch's repository (a fork's differs). */
  readonly headRepo: string | undefined;
}

export interface GuardDependencies {
  readonly platform: Platform;
  readonly fetching: FetchSettings;
  readonly log: Log;
  readonly git?: GitBounds;
  /** Renders template versions within the render limits (cookiecutter in a process of its own, src/sandbox). */
  readonly render: SnapshotRenderer;
}

export type GuardOutcome =
  | { readonly kind: 'skipped'; readonly why: string }
  | { readonly kind: 'clean' }
  | { readonly kind: 'checked'; readonly checkRun: number; readonly files: number };

/**
 * The `Template drift` check on a pull request that edits files the template enforces.
 * 1. not for the app's own pull requests, nor repositories without an answers file (at the PR's head);
 * 2. render the template at the version the answers record (the cached template, no clone of
 *    the service) for its rules: which output paths are enforced, `ignore` applied;
 * 3. list the PR's changed files (paged; GitHub stops at 3,000) and keep the enforced ones;
 * 4. none: no check run (a run would only add noise to every PR);
 * 5. otherwise one neutral check run, one annotation per file, sent 50 at a time.
 * Bad configuration is left to the update, which reports it in its issue: the check says nothing.
 */
export async function guardEnforcedFiles(request: GuardRequest, deps: GuardDependencies): Promise<GuardOutcome> {
  const { platform } = deps;
  const { repo } = request;
  const own = `${repo.owner}/${repo.repo}`.toLowerCase() === request.headRepo?.toLowerCase();
  if (own && (request.headRef === UPDATE_BRANCH || request.headRef === ONBOARDING_BRANCH)) return { kind: 'skipped', why: 'the app\'s own pull request' };

  const answersFile = await answersOnGitHub(platform, repo, request.headSha);
  if (answersFile === undefined) return { kind: 'skipped', why: 'no answers file' };
  let rules;
  try {
    rules = await enforcedRules(answersFile, repo, deps);
  } catch (error) {
    // A template host that failed for now: the queue tries the check again.
    if (!isMistake(error) || deps.git?.signal?.aborted) throw error;
    deps.log.info({ repo, pull: request.number, reason: error.message }, 'enforced files not checked: the configuration does not render');
    return { kind: 'skipped', why: error.message };
  }

  const { files, truncated } = await platform.pullFiles(repo, request.number);
  const changes = enforcedChanges(files, rules.output, rules.policyOf);
  if (changes.length === 0) return { kind: 'clean' };

  const output = checkOutput({ changes, template: rules.template, version: rules.version, answersFile: answersFile.path, dialect: rules.dialect, truncated });
  const [first = [], ...rest] = annotationBatches(changes);
  const id = await platform.createCheckRun(repo, { name: CHECK_NAME, headSha: request.headSha, conclusion: 'neutral', output: { ...output, annotations: first } });
  for (const batch of rest) await platform.updateCheckRun(repo, id, { ...output, annotations: batch });
  deps.log.info({ repo, pull: request.number, files: changes.length }, 'pull request changes enforced files');
  return { kind: 'checked', checkRun: id, files: changes.length };
}

/** The template's rules for this repository, at the version it records (the latest release when it records none). */
async function enforcedRules(answersFile: AnswersText, repo: RepoId, deps: GuardDependencies) {
  const answers = parseAnswersFile(answersFile.path, answersFile.text);
  const template = await openAppTemplate(deps.platform, answers.template, deps.fetching, deps.git);
  const ref = (await recordedRef(template.repository, answers)) ?? (await template.repository.resolve(await latestRelease(template.repository, answers.prereleases)));
  const snapshot = await deps.render({
    files: await template.repository.read(ref.commit),
    ref: ref.ref,
    answers: answers.variables,
    repo: { owner: repo.owner, name: repo.repo },
    ignore: answers.ignore,
  });
  return { output: snapshot.output, policyOf: snapshot.policyOf, dialect: snapshot.dialect, template: answers.template, version: ref.ref };
}
