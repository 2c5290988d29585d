import PQueue from 'p-queue';
import { parseAnswersFile } from '../engine/answers-document.js';
import type { Answers } from '../engine/answers-file.js';
import { CRUFT_FILE } from '../engine/cruft-file.js';
import type { FleetEntry } from '../engine/fleet-inventory.js';
import { driftedEnforcedPaths, enforcedPaths, fleetState, isDue, type RepoObservation } from '../engine/fleet-state.js';
import { CONFLICT_LABEL, UPDATE_BRANCH } from '../engine/pull-request-text.js';
import type { SnapshotRenderer } from '../engine/render-snapshot.js';
import { templateKey } from '../engine/template-identity.js';
import { latestVersionTag } from '../engine/template-versions.js';
import { readMarker } from '../engine/update-marker.js';
import { isMistake } from '../engine/user-error.js';
import type { ResolvedRef, TemplateRepository } from '../git/template-store.js';
import { ISSUE_TITLE } from '../github/labels.js';
import type { Platform, RepoId, RepositoryInfo } from '../github/platform.js';
import { answersReader, type AnswersReader, type AnswersText } from './answers-on-github.js';
import type { Log } from './log.js';
import { recordedRef, updateTarget } from './update-target.js';

const REPOSITORIES_AT_ONCE = 8;

/** A template as the scan reads it: opened once per scan, whatever number of repositories use it. */
export interface FleetTemplate {
  /** `owner/repo` as the inventory names it (GitHub's spelling when it is a GitHub repository). */
  readonly name: string;
  readonly repository: TemplateRepository;
}

export interface FleetScanDependencies {
  /** GitHub for one installation (the app) or one account (the CLI's `scan`). */
  readonly platform: Platform;
  /** Opens the template an answers file names; the scan calls it once per template. */
  readonly openTemplate: (source: string) => Promise<FleetTemplate>;
  readonly log: Log;
  /** Only the repositories of this template (`owner/repo`, any letter case). */
  readonly template?: string;
  /** Renders template versions within the render limits (cookiecutter in a process of its own, src/sandbox). */
  readonly render: SnapshotRenderer;
  /** Reads an answers file on the default branch; answersOnGitHub when absent. */
  readonly readAnswers?: AnswersReader;
  /** Told after each repository is read (a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly now?: () => Date;
}

/** A repository the reconcile queues an update for. */
export interface DueUpdate {
  readonly repo: RepoId;
  readonly template: string;
  /** The release it goes to. */
  readonly target: string;
}

export interface FleetScan {
  /** Every repository with an answers file, by name. */
  readonly entries: FleetEntry[];
  /** The repositories behind their target with no update PR for it open and no decline for it. */
  readonly due: DueUpdate[];
  /** Repositories GitHub would not answer for (after its retries): not in `entries`. */
  readonly failures: { readonly repo: string; readonly message: string }[];
  /** When the scan began: every entry's `seenAt`. */
  readonly seenAt: string;
}

/**
 * Where every repository of one installation stands against its template, read from GitHub
 * with no clone of any service repository:
 * 1. list the repositories (archived ones are left out: they take no update) and read each
 *    answers file (none: the repository has not opted in);
 * 2. open each template once, and its latest release;
 * 3. for each repository, its target (the latest release, never backwards), the open "action
 *    required" issue and the app's open update PR (its marker and conflict label);
 * 4. behind: was that version declined (a closed, unmerged PR whose marker goes there)?
 *    on its target: render the template at the recorded commit with the repository's answers
 *    and compare the enforced files' blob ids with the repository's tree (the trees API);
 * 5. name the state, and whether a reconcile should queue an update.
 */
export async function scanFleet(deps: FleetScanDependencies): Promise<FleetScan> {
  const seenAt = (deps.now ?? (() => new Date()))().toISOString();
  const wantedTemplate = deps.template === undefined ? undefined : templateKey(deps.template);
  const readAnswers = answersReader(deps.platform, deps.readAnswers);
  const templates = new Map<string, Promise<FleetTemplate>>();
  const openOnce = (source: string): Promise<FleetTemplate> => {
    const key = templateKey(source) ?? source;
    let opened = templates.get(key);
    if (!opened) {
      opened = deps.openTemplate(source);
      templates.set(key, opened);
    }
    return opened;
  };

  const repositories = (await deps.platform.installationRepositories()).filter((repo) => !repo.archived);
  const reads = new PQueue({ concurrency: REPOSITORIES_AT_ONCE });
  const results: (Scanned | undefined)[] = [];
  const failures: { repo: string; message: string }[] = [];
  let done = 0;
  await Promise.all(repositories.map((repo) => reads.add(async () => {
    try {
      const scanned = await scanRepository(repo, { ...deps, openOnce, wantedTemplate, seenAt, readAnswers });
      if (scanned) results.push(scanned);
    } catch (error) {
      failures.push({ repo: fullName(repo), message: error instanceof Error ? error.message : String(error) });
      deps.log.warn({ repo: fullName(repo), err: error }, 'fleet scan could not read a repository');
    } finally {
      done += 1;
      deps.onProgress?.(done, repositories.length);
    }
  })));

  const scanned = results.filter((result): result is Scanned => result !== undefined).sort((a, b) => a.entry.repo.localeCompare(b.entry.repo));
  return {
    entries: scanned.map((result) => result.entry),
    due: scanned.filter((result) => isDue(result.seen) && result.seen.target !== undefined).map((result) => ({
      repo: { owner: result.info.owner, repo: result.info.repo }, template: result.entry.template, target: result.seen.target!,
    })),
    failures: failures.sort((a, b) => a.repo.localeCompare(b.repo)),
    seenAt,
  };
}

interface Scanned {
  readonly info: RepositoryInfo;
  readonly entry: FleetEntry;
  readonly seen: RepoObservation;
}

interface RepositoryScan extends FleetScanDependencies {
  readonly readAnswers: AnswersReader;
  readonly openOnce: (source: string) => Promise<FleetTemplate>;
  readonly wantedTemplate: string | undefined;
  readonly seenAt: string;
}

async function scanRepository(info: RepositoryInfo, scan: RepositoryScan): Promise<Scanned | undefined> {
  const { platform } = scan;
  const repo = { owner: info.owner, repo: info.repo };
  // Step 1: the answers file (the native one, else cruft's).
  const found = await scan.readAnswers(repo);
  if (found === undefined) return undefined;
  let answers: Answers;
  try {
    answers = parseAnswersFile(found.path, found.text);
  } catch (error) {
    if (!isMistake(error)) throw error;
    // Unreadable: its template as the text names it, so the row lands where people look for it.
    const named = namedIn(found);
    if (scan.wantedTemplate !== undefined && templateKey(named.template) !== scan.wantedTemplate) return undefined;
    const problemIssue = await openProblemIssue(platform, repo);
    return observed(info, scan.seenAt, named, { problem: error.message, ...(problemIssue && { problemIssue }), behind: false, driftedPaths: [] });
  }
  if (scan.wantedTemplate !== undefined && templateKey(answers.template) !== scan.wantedTemplate) return undefined;
  const recordedVersion = answers.version ?? answers.commit ?? '';
  const [problemIssue, openPull] = await Promise.all([openProblemIssue(platform, repo), platform.pullsForBranch(repo, UPDATE_BRANCH, 'open')]);
  const seenSoFar = {
    ...(problemIssue && { problemIssue }),
    ...(openPull[0] && { openPull: { url: openPull[0].htmlUrl, conflicts: openPull[0].labels.includes(CONFLICT_LABEL), ...withTo(readMarker(openPull[0].body)?.to) } }),
  };

  // Steps 2 and 3: the template, its latest release, this repository's target.
  let template: FleetTemplate | undefined;
  let latest: string | undefined;
  let recorded: ResolvedRef | undefined;
  let target: ResolvedRef;
  try {
    template = await scan.openOnce(answers.template);
    latest = latestVersionTag(await template.repository.tags());
    recorded = await recordedRef(template.repository, answers);
    target = await updateTarget(template.repository, answers);
  } catch (error) {
    // A person's mistake is the row's problem; a host that failed for now fails the repository's scan
    // (in `failures`): an "action required" row would ask people to fix what nobody broke.
    if (!isMistake(error)) throw error;
    const name = template?.name ?? templateKey(answers.template) ?? answers.template;
    return observed(info, scan.seenAt, { template: name, version: recordedVersion, ...withLatest(latest) }, { ...seenSoFar, problem: error.message, behind: false, driftedPaths: [] });
  }
  const row = { template: template.name, version: recordedVersion, ...(answers.commit && { commit: answers.commit }), ...withLatest(latest) };
  const behind = recorded === undefined || recorded.commit !== target.commit;

  // Step 4: a decline of the target, or drift from it.
  if (behind) {
    const closed = await platform.pullsForBranch(repo, UPDATE_BRANCH, 'closed');
    const declined = closed.find((pull) => !pull.merged && readMarker(pull.body)?.to === target.ref);
    return observed(info, scan.seenAt, row, { ...seenSoFar, target: target.ref, behind, ...(declined && { declinedPull: declined.htmlUrl }), driftedPaths: [] });
  }
  try {
    const snapshot = await scan.render({
      files: await template.repository.read(target.commit), ref: target.ref, answers: answers.variables,
      repo: { owner: info.owner, name: info.repo }, ignore: answers.ignore,
    });
    const blobs = await platform.treeBlobs(repo, info.defaultBranch, enforcedPaths(snapshot.output, snapshot.policyOf));
    const driftedPaths = driftedEnforcedPaths(snapshot.output, snapshot.policyOf, blobs);
    return observed(info, scan.seenAt, row, { ...seenSoFar, target: target.ref, behind, driftedPaths });
  } catch (error) {
    if (!isMistake(error)) throw error;
    return observed(info, scan.seenAt, row, { ...seenSoFar, target: target.ref, behind, problem: error.message, driftedPaths: [] });
  }
}

/** The template and version an answers file that does not parse names, as far as its text shows them. */
function namedIn({ path, text }: AnswersText): { template: string; version: string } {
  const field = path === CRUFT_FILE
    ? (name: string) => new RegExp(`"${name}"\\s*:\\s*"([^"]*)"`).exec(text)?.[1]
    : (name: string) => new RegExp(`^${name}:\\s*["']?([^"'\\s#]+)`, 'm').exec(text)?.[1];
  return { template: field('template') ?? '', version: (path === CRUFT_FILE ? field('checkout') ?? field('commit') : field('version')) ?? '' };
}

function observed(info: RepositoryInfo, seenAt: string, row: Pick<FleetEntry, 'template' | 'version' | 'commit' | 'latest'>, seen: RepoObservation): Scanned {
  const { state, url } = fleetState(seen);
  const entry: FleetEntry = { repo: fullName(info), ...row, state, ...(url !== undefined && { url }), seenAt, ...(seen.problem !== undefined && { problem: seen.problem }) };
  return { info, entry, seen };
}

async function openProblemIssue(platform: Platform, repo: RepoId): Promise<string | undefined> {
  const issue = await platform.findIssue(repo, ISSUE_TITLE);
  return issue?.state === 'open' ? issue.htmlUrl : undefined;
}

function withTo(to: string | undefined): { to?: string } {
  return to === undefined ? {} : { to };
}

function withLatest(latest: string | undefined): { latest?: string } {
  return latest === undefined ? {} : { latest };
}

function fullName(repo: RepoId): string {
  return `${repo.owner}/${repo.repo}`;
}
