import { ANSWERS_FILES, parseAnswersFile, type AnswersFile } from '../engine/answers-document.js';
import { ANSWERS_FILE } from '../engine/answers-file.js';
import { REGULAR } from '../engine/file-map.js';
import type { Merger } from '../engine/merger.js';
import { planWrites } from '../engine/plan-update.js';
import { commitMessage, UPDATE_BRANCH } from '../engine/pull-request-text.js';
import { isAtOrPast, tagVersion } from '../engine/template-versions.js';
import type { SnapshotRenderer } from '../engine/render-snapshot.js';
import { waveOf } from '../engine/rollout.js';
import { readMarker } from '../engine/update-marker.js';
import { isTransient, isUserError } from '../engine/user-error.js';
import type { GitBounds } from '../git/git-client.js';
import { GitRemoteError, ServiceClone } from '../git/service-clone.js';
import type { Platform, PullRequestInfo, RepoId, RepositoryInfo } from '../github/platform.js';
import { renewingToken } from '../github/renewing-token.js';
import { answersOnGitHub, type AnswersText } from './answers-on-github.js';
import { closeUpdatePull } from './close-update-pull.js';
import { ensureUpdatePull, warnHandsOff } from './ensure-update-pull.js';
import { namesOnServedGitHub, type FannedOutReads } from './fanned-out-reads.js';
import type { Log } from './log.js';
import { openAppTemplate, type FetchSettings } from './open-template.js';
import { prepareUpdate, type PreparedUpdate } from './prepare-update.js';
import type { ReleaseTemplates } from './release-templates.js';
import { reportProblem, resolveProblem } from './problem-issue.js';
import { recordedAnswers } from './recorded-answers.js';
import type { HooksPolicy } from './template-hooks.js';
import { isAppHead } from './update-branch-owner.js';
import { DowngradeError } from './update-target.js';

export interface UpdateRequest {
  readonly repo: RepoId;
  /** A release tag or a command's ref; the latest release when absent. */
  readonly targetRef?: string;
  /** A person asked (`/sync-template`): declines and "already past" do not apply. */
  readonly explicit: boolean;
  readonly reason: 'release' | 'command' | 'push' | 'installation' | 'reconcile';
  /** What the release's fan-out already read for this repository (fanned-out-reads.ts). */
  readonly fannedOut?: FannedOutReads;
}

export type UpdateOutcome =
  | { readonly kind: 'not-configured' }
  | { readonly kind: 'in-line'; readonly version: string }
  | { readonly kind: 'skipped'; readonly why: string }
  | { readonly kind: 'pull-request'; readonly url: string; readonly to: string; readonly conflicts: number; readonly pushed: boolean }
  /** `retryable`: a git host failed for now (5xx, unreachable, stalled, a lease lost to a race); trying later may succeed. */
  | { readonly kind: 'failed'; readonly message: string; readonly retryable?: boolean };

export interface UpdateDependencies {
  readonly platform: Platform;
  readonly fetching: FetchSettings;
  readonly committer: { readonly name: string; readonly email: string };
  readonly merger: Merger;
  readonly log: Log;
  /** The stall limit and the job's deadline for every git command of the update. */
  readonly git?: GitBounds;
  /** Renders template versions within the render limits (cookiecutter in a process of its own, src/sandbox). */
  readonly render: SnapshotRenderer;
  /** Whether templates' hooks run (TEMPLATE_DRIFT_TRUST_HOOKS=true), and the issue text when they may not. */
  readonly hooks?: HooksPolicy;
  /** What fan-outs in this process learnt of their templates (an update of a release opens it with no request). */
  readonly releaseTemplates?: ReleaseTemplates;
}

/**
 * Brings one service repository in line with its template through one pull request.
 * 1. read the answers file (none: the repository has not opted in), then clone the default
 *    branch (shallow, blobless) with a token for this repository only; an update a fan-out
 *    queued takes the file, the clone URL and the template repository from the job instead;
 * 2. parse the answers file from the clone and open the template it names;
 * 3. decide the target, and whether it is declined or already reached;
 * 4. compute the whole update (engine); nothing to change → close any update PR and stop;
 * 5. commit it on top of the default branch and push it to the update branch, unless a person
 *    pushed there (then say so once and stop) or the branch already holds exactly this;
 * 6. create or refresh the pull request, and close the "action required" issue.
 * Bad configuration of any kind becomes that issue instead of an exception.
 */
export async function updateRepository(request: UpdateRequest, deps: UpdateDependencies): Promise<UpdateOutcome> {
  const { platform, log } = deps;
  // Most repositories of an installation never opted in: one API read says so (two for a
  // repository without the native file, which may be cruft's), before any clone.
  const carried = request.fannedOut;
  const answersRead = carried?.answers ?? (await answersOnGitHub(platform, request.repo));
  if (answersRead === undefined) {
    // A push that removed the answers file opted the repository out, and merging its open
    // update PR would bring the file back. Only pushes look: other events reach every repository.
    if (request.reason === 'push') {
      const [open] = await platform.pullsForBranch(request.repo, UPDATE_BRANCH, 'open');
      if (open) {
        // The file the PR updates is the one that was removed: `.cruft.json` in a repository cruft manages.
        const removed = (await answersOnGitHub(platform, request.repo, open.headSha))?.path ?? ANSWERS_FILE;
        await closeUpdatePull(platform, request.repo, open, `\`${removed}\` was removed from the default branch, so this repository no longer follows its template; closing.`, deps.committer.email);
      }
    }
    return { kind: 'not-configured' };
  }
  const repoInfo = carried && namesOnServedGitHub(carried.repository.cloneUrl, request.repo, deps.fetching.sources)
    ? carried.repository : await platform.repository(request.repo);
  // Minted now, and again should it near its end before the push: an update can outlive a token.
  const token = renewingToken(() => platform.repositoryToken(request.repo, 'write'));
  let clone: ServiceClone | undefined;
  try {
    clone = await ServiceClone.open({
      cloneUrl: repoInfo.cloneUrl, branch: repoInfo.defaultBranch, pushBranch: UPDATE_BRANCH, token, committer: deps.committer,
      protocols: deps.fetching.gitProtocols, ...(deps.git && { bounds: deps.git }), beforePush: () => platform.takeWriteSlot(),
    });
    // The clone's answers file is the one that counts (a push may have come in between); when its
    // blob id is that of the text just read, that text stands in and no blob is downloaded.
    // A carried text may be minutes old: the clone is looked at as the API read would have been.
    const answersFile = await answersInClone(clone, answersRead, carried?.answers ? ANSWERS_FILES : [answersRead.path]);
    if (answersFile === undefined) return { kind: 'not-configured' };
    return await updateConfigured(request, deps, clone, answersFile, repoInfo);
  } catch (error) {
    // Stopped at its deadline (or its installation left): the queue has already answered for it.
    if (deps.git?.signal?.aborted) throw error;
    // A git host that failed for now (GitHub's 502, a refused connection, a stall) is no one's
    // mistake: no issue, and the queue tries again later.
    if (isTransient(error)) {
      log.warn({ repo: request.repo, reason: error.message }, 'template update failed for now; it will be tried again');
      return { kind: 'failed', message: error.message, retryable: true };
    }
    if (isUserError(error)) {
      const issue = await reportProblem(platform, request.repo, error.message);
      log.warn({ repo: request.repo, issue }, 'template update blocked by configuration');
      return { kind: 'failed', message: error.message };
    }
    if (error instanceof GitRemoteError) {
      log.warn({ repo: request.repo, reason: error.message }, 'template update failed: the git remote refused it');
      return { kind: 'failed', message: error.message };
    }
    throw error;
  } finally {
    await clone?.dispose();
  }
}

/**
 * The answers file at the clone's head: the first of `paths` there (the native file first, then
 * `.cruft.json`, as the API read looks), where the text already read stands in only for the very same blob.
 */
async function answersInClone(clone: ServiceClone, read: AnswersText, paths: readonly AnswersFile[]): Promise<AnswersText | undefined> {
  for (const path of paths) {
    const text = await clone.readText(path, path === read.path ? [read.text] : []);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}

async function updateConfigured(
  request: UpdateRequest, deps: UpdateDependencies, clone: ServiceClone, answersFile: AnswersText,
  repoInfo: Pick<RepositoryInfo, 'defaultBranch'>,
): Promise<UpdateOutcome> {
  const { platform, log } = deps;
  const repo = request.repo;
  const answersText = answersFile.text;
  const answers = parseAnswersFile(answersFile.path, answersText);
  // An update a release's fan-out queued opens the template as the fan-out did (release-templates.ts).
  const release = deps.releaseTemplates && request.reason === 'release' && request.targetRef !== undefined ? { templates: deps.releaseTemplates, tag: request.targetRef } : undefined;
  const template = await openAppTemplate(platform, answers.template, deps.fetching, deps.git, release, request.fannedOut?.template);

  // Step 3: the target, and the reasons not to offer it.
  const [openPull] = await platform.pullsForBranch(repo, UPDATE_BRANCH, 'open');
  const openMarker = readMarker(openPull?.body);
  if (!request.explicit && request.targetRef) {
    if ((request.reason === 'release' || request.reason === 'reconcile') && isAtOrPast(answers.version, request.targetRef)) {
      return { kind: 'skipped', why: `already at ${answers.version ?? request.targetRef}` };
    }
    if (openMarker && isAtOrPast(openMarker.to, request.targetRef) && openMarker.to !== request.targetRef) {
      return { kind: 'skipped', why: `the open update already goes to ${openMarker.to}` };
    }
  }

  // Step 4: the whole update, computed before anything is written, its base rendered with the
  // answers recorded when the repository's version was applied.
  let update: PreparedUpdate;
  try {
    update = await prepareUpdate({
      template: template.repository,
      answers,
      answersText,
      answersFile: answersFile.path,
      ...(deps.hooks && { hooks: deps.hooks }),
      ...(request.targetRef !== undefined && { targetRef: request.targetRef }),
      ...((answers.commit ?? answers.version) !== undefined && {
        recorded: await recordedAnswers(answers, answersHistory(platform, repo, clone.head, answersFile),
          (text) => parseAnswersFile(answersFile.path, text)),
      }),
      refHint: 'a `/sync-template <ref>` comment',
      repo: { owner: repo.owner, name: repo.repo },
      readOurs: (paths, known) => clone.readFiles(paths, known),
      merger: deps.merger,
      render: deps.render,
    });
  } catch (error) {
    if (!(error instanceof DowngradeError)) throw error;
    return refuseDowngrade(platform, request, openPull, error, deps.committer.email);
  }
  // A person who changed the answers asked for this update, whatever was declined before.
  const answersChanged = request.reason === 'push' && update.changedAnswers.length > 0;
  if (!request.explicit && !answersChanged && (await isDeclined(platform, repo, update.to))) {
    return { kind: 'skipped', why: `${update.to} was declined (its update PR was closed unmerged)` };
  }
  const { writes, deletes } = planWrites(update.changes);
  // Only the answers file would change (the files already match): nothing worth a PR.
  if (writes.size === 0 && deletes.length === 0) {
    if (openPull) await closeUpdatePull(platform, repo, openPull, `This repository is already in line with ${update.to}; closing.`, deps.committer.email);
    await resolveProblem(platform, repo);
    return { kind: 'in-line', version: update.to };
  }
  writes.set(answersFile.path, { content: Buffer.from(update.answersText), mode: REGULAR });
  const commit = await clone.commit(writes, deletes, commitMessage(template.name, update.to));

  // Step 5: push, never over a person's commit (one holding exactly this update loses nothing).
  // The branch as the clone found it: the push leases that state, so a commit pushed since fails it.
  const remote = await clone.branchAtOpen();
  const unchanged = remote !== undefined && remote.tree === commit.tree && remote.parent === clone.head;
  if (remote && !unchanged && !isAppHead(remote, openMarker?.head, deps.committer.email)) {
    if (openPull) await warnHandsOff(platform, repo, openPull.number);
    log.info({ repo, branch: UPDATE_BRANCH }, 'update branch has commits from someone else; leaving it alone');
    return { kind: 'skipped', why: `someone else pushed to ${UPDATE_BRANCH}; the app no longer rewrites it` };
  }
  if (!unchanged) await clone.push(commit.sha, UPDATE_BRANCH, remote?.sha);

  // Step 6: the pull request.
  const pull = await ensureUpdatePull(platform, {
    repo, defaultBranch: repoInfo.defaultBranch, openPull, update, template,
    releaseNotesFrom: answers.version, head: unchanged ? remote.sha : commit.sha, log,
  });
  await resolveProblem(platform, repo);
  const conflicts = update.changes.filter((change) => change.conflict).length;
  log.info({ repo, to: update.to, pull: pull.number, conflicts, pushed: !unchanged, ...(update.rollout && { wave: waveOf(update.rollout, repo) }) }, 'template update pull request ready');
  return { kind: 'pull-request', url: pull.htmlUrl, to: update.to, conflicts, pushed: !unchanged };
}

/**
 * The answers file's versions on the default branch, newest first (the head's own, which the
 * clone holds, then each earlier one). The clone is shallow, and deepening it would fetch the
 * commits and trees of the whole repository's history; GitHub's commits API with `path=` lists
 * only the commits that touched the answers file, and the walk reads as few of them as it needs
 * (one list and one file read in the usual case), so the cost follows the answers file's
 * history, not the repository's size.
 */
async function* answersHistory(platform: Platform, repo: RepoId, head: string, file: AnswersText): AsyncGenerator<string> {
  let newest = true;
  for await (const sha of platform.fileHistory(repo, file.path, head)) {
    if (newest) {
      newest = false;
      yield file.text;
      continue;
    }
    const text = await platform.fileText(repo, file.path, sha);
    if (text === undefined) return;
    yield text;
  }
}

/**
 * The app never goes back to an older version than the one recorded: a release or an open PR
 * behind it is skipped (the PR closed: the repository has moved past it), and a person asking
 * for one with `/sync-template` is told which version is recorded and how to go back on purpose.
 */
async function refuseDowngrade(
  platform: Platform, request: UpdateRequest, openPull: PullRequestInfo | undefined, error: DowngradeError, appEmail: string,
): Promise<UpdateOutcome> {
  if (!request.explicit && openPull && readMarker(openPull.body)?.to === error.target) {
    await closeUpdatePull(platform, request.repo, openPull, `This repository already records ${error.recorded}, past ${error.target}; closing.`, appEmail);
  }
  return {
    kind: 'skipped',
    why: `${error.target} is older than ${error.recorded}, the version this repository records, and the app never downgrades. ` +
      `To go back on purpose, run \`template-drift update --to ${error.target} --allow-downgrade\` in a checkout and open a pull request`,
  };
}

async function isDeclined(platform: Platform, repo: RepoId, version: string): Promise<boolean> {
  if (!tagVersion(version)) return false;
  const closed = await platform.pullsForBranch(repo, UPDATE_BRANCH, 'closed');
  return closed.some((pull) => !pull.merged && readMarker(pull.body)?.to === version);
}
