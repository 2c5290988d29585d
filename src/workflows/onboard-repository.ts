import { ANSWERS_FILE, parseAnswers } from '../engine/answers-file.js';
import { REGULAR } from '../engine/file-map.js';
import { inferAnswers } from '../engine/infer-answers.js';
import {
  onboardingAnswersText, onboardingBody, onboardingCommitMessage, onboardingTitle, readOnboardingMarker, type OnboardingMarker,
} from '../engine/onboarding-text.js';
import { planOnboarding, type OnboardingPlan } from '../engine/plan-onboarding.js';
import { ONBOARDING_BRANCH, UPDATE_LABEL } from '../engine/pull-request-text.js';
import type { SnapshotRenderer } from '../engine/render-snapshot.js';
import { MANIFEST_FILE, parseManifest, type VariableValue } from '../engine/template-manifest.js';
import { isMistake } from '../engine/user-error.js';
import type { GitBounds } from '../git/git-client.js';
import { ServiceClone } from '../git/service-clone.js';
import type { Platform, PullRequestInfo, RepoId } from '../github/platform.js';
import { answersOnGitHub } from './answers-on-github.js';
import type { Log } from './log.js';
import { onboardingRelease } from './onboarding-release.js';
import { openAppTemplate, type FetchSettings } from './open-template.js';
import { refuseAnswersFileOutput } from './prepare-update.js';
import { isAppHead } from './update-branch-owner.js';
import { renewingToken } from '../github/renewing-token.js';

export interface OnboardingRequest {
  readonly repo: RepoId;
  /** A `/sync-template` on the open onboarding PR (its number): render it again with the branch's answers. */
  readonly resync?: number;
}

export type OnboardingOutcome =
  /** A resync asked on something that is not the repository's open onboarding PR. */
  | { readonly kind: 'not-applicable' }
  | { readonly kind: 'skipped'; readonly why: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'pull-request'; readonly url: string; readonly version: string; readonly questions: readonly string[] };

export interface OnboardingDependencies {
  readonly platform: Platform;
  readonly fetching: FetchSettings;
  readonly committer: { readonly name: string; readonly email: string };
  readonly log: Log;
  readonly git?: GitBounds;
  /** Renders template versions within the render limits (cookiecutter in a process of its own, src/sandbox). */
  readonly render: SnapshotRenderer;
}

/**
 * Opens the one onboarding PR for a repository made with "Use this template" from a template
 * repository that has template.yml.
 * 1. only a repository GitHub says was made from a template, with no answers file, and never
 *    one whose onboarding PR was closed unmerged (that closed PR is the record of opting out);
 * 2. open the template as updates do (source policy, this installation's access, its cache);
 * 3. clone the repository (shallow, blobless) and choose the release it was made from;
 * 4. answers: the onboarding branch's answers file on a resync, else inferred; a required
 *    variable left open is a question;
 * 5. no question: render the release (every rendering bound applies) and plan it in place;
 *    a question: the PR holds only the answers file, as a draft;
 * 6. commit and push `template-drift/onboarding` (on top of a person's commit, never over it);
 * 7. create or refresh the PR.
 */
export async function onboardRepository(request: OnboardingRequest, deps: OnboardingDependencies): Promise<OnboardingOutcome> {
  const { platform } = deps;
  const { repo } = request;
  const info = await platform.repository(repo);
  const templateRepo = info.templateRepository;
  if (!templateRepo) return request.resync === undefined ? { kind: 'skipped', why: 'not made from a template repository' } : { kind: 'not-applicable' };
  if (info.archived) return { kind: 'skipped', why: 'archived' };
  // A repository cruft manages follows its template already, through `.cruft.json`.
  if ((await answersOnGitHub(platform, repo)) !== undefined) return { kind: 'skipped', why: 'it already follows a template' };
  const pulls = [...await platform.pullsForBranch(repo, ONBOARDING_BRANCH, 'open'), ...await platform.pullsForBranch(repo, ONBOARDING_BRANCH, 'closed')]
    .filter((pull) => readOnboardingMarker(pull.body));
  if (pulls.some((pull) => pull.state === 'closed' && !pull.merged)) return { kind: 'skipped', why: 'its onboarding PR was closed unmerged: it opted out' };
  // Merged once: removing the answers file since was a choice too.
  if (pulls.some((pull) => pull.merged)) return { kind: 'skipped', why: 'it was onboarded before' };
  const open = pulls.find((pull) => pull.state === 'open');
  if (open && open.number !== request.resync) return { kind: 'skipped', why: 'its onboarding PR is open already' };
  if (!open && request.resync !== undefined) return { kind: 'not-applicable' };
  if ((await platform.fileText(templateRepo, MANIFEST_FILE)) === undefined) return { kind: 'skipped', why: `${templateRepo.owner}/${templateRepo.repo} has no ${MANIFEST_FILE}` };

  try {
    return await onboard(request, deps, { defaultBranch: info.defaultBranch, cloneUrl: info.cloneUrl, createdAt: info.createdAt ?? new Date().toISOString(), templateRepo, open });
  } catch (error) {
    // A host that failed for now is the queue's to try again, not a reason to give up on the repository.
    if (deps.git?.signal?.aborted || !isMistake(error)) throw error;
    deps.log.warn({ repo, reason: error.message }, 'onboarding not possible');
    return { kind: 'failed', message: error.message };
  }
}

interface Found {
  readonly defaultBranch: string;
  readonly cloneUrl: string;
  readonly createdAt: string;
  readonly templateRepo: RepoId;
  readonly open: PullRequestInfo | undefined;
}

async function onboard(request: OnboardingRequest, deps: OnboardingDependencies, found: Found): Promise<OnboardingOutcome> {
  const { platform, log } = deps;
  const repo = request.repo;
  const source = `${found.templateRepo.owner}/${found.templateRepo.repo}`;
  // Step 2.
  const template = await openAppTemplate(platform, source, deps.fetching, deps.git);
  // Step 3.
  const token = renewingToken(() => platform.repositoryToken(repo, 'write'));
  const clone = await ServiceClone.open({
    cloneUrl: found.cloneUrl, branch: found.defaultBranch, pushBranch: ONBOARDING_BRANCH, token, committer: deps.committer,
    protocols: deps.fetching.gitProtocols, ...(deps.git && { bounds: deps.git }),
  });
  try {
    const release = await onboardingRelease(template.repository, await clone.headTree(), found.createdAt);
    if (!release) return { kind: 'skipped', why: `${source} has no release yet` };
    const raw = await template.repository.read(release.ref.commit);
    const manifest = parseManifest(raw.get(MANIFEST_FILE)?.content.toString('utf8') ?? '');

    // Step 4.
    const branchAnswers = found.open ? await platform.fileText(repo, ANSWERS_FILE, ONBOARDING_BRANCH) : undefined;
    const given = branchAnswers === undefined ? {} : parseAnswers(branchAnswers).variables;
    const inferred = inferAnswers(manifest, repo.repo, given);

    // Step 5.
    let plan: OnboardingPlan | undefined;
    let values: Readonly<Record<string, VariableValue>> = inferred.answers;
    if (inferred.questions.length === 0) {
      const snapshot = await deps.render({
        files: raw, ref: release.ref.ref, answers: inferred.answers, repo: { owner: repo.owner, name: repo.repo },
      });
      refuseAnswersFileOutput(snapshot);
      // Onboarding reads template.yml (Handlebars) templates, whose values are scalars.
      values = snapshot.variables.values as Readonly<Record<string, VariableValue>>;
      const ours = await clone.readFiles([...new Set([...snapshot.output.keys(), ...raw.keys()])].filter((path) => path !== ANSWERS_FILE), [raw, snapshot.output]);
      plan = planOnboarding({ raw, output: snapshot.output, ours });
    }
    const answersText = onboardingAnswersText({ template: source, version: release.ref.ref, commit: release.ref.commit, variables: values, questions: inferred.questions });
    const writes = new Map(plan?.writes ?? []);
    writes.set(ANSWERS_FILE, { content: Buffer.from(answersText), mode: REGULAR });

    // Step 6: a person's commit on the branch (their answers) stays; the app's own is replaced.
    // The branch as the clone found it: the push leases that state, so a commit pushed since fails it.
    const remote = await clone.branchAtOpen();
    const marker = readOnboardingMarker(found.open?.body);
    const onTop = remote !== undefined && !isAppHead(remote, marker?.head, deps.committer.email);
    const commit = await clone.commit(writes, plan?.deletes ?? [], onboardingCommitMessage(template.name, release.ref.ref), onTop ? remote.sha : clone.head);
    const unchanged = remote !== undefined && remote.tree === commit.tree && (onTop || remote.parent === clone.head);
    if (!unchanged) await clone.push(commit.sha, ONBOARDING_BRANCH, remote?.sha);
    const head = unchanged ? remote.sha : commit.sha;

    // Step 7.
    const newMarker: OnboardingMarker = { template: source, version: release.ref.ref, head };
    const body = onboardingBody({
      templateName: template.name, templateUrl: template.htmlUrl, marker: newMarker, choice: release.choice, questions: inferred.questions,
      variables: manifest.variables.map((spec) => ({ spec, value: values[spec.name], source: inferred.sources[spec.name] ?? 'default' })),
      ...(plan && { plan }),
    });
    const title = onboardingTitle(template.name, release.ref.ref);
    const pull = found.open
      ? await platform.updatePull(repo, found.open.number, { title, body })
      : await platform.createPull(repo, { title, body, head: ONBOARDING_BRANCH, base: found.defaultBranch, draft: inferred.questions.length > 0 });
    if (!found.open) await platform.addLabels(repo, pull.number, [UPDATE_LABEL]);
    const questions = inferred.questions.map((spec) => spec.name);
    log.info({ repo, pull: pull.number, version: release.ref.ref, questions: questions.length }, 'onboarding pull request ready');
    return { kind: 'pull-request', url: pull.htmlUrl, version: release.ref.ref, questions };
  } finally {
    await clone.dispose();
  }
}
