import PQueue from 'p-queue';
import { parseAnswersFile } from '../engine/answers-document.js';
import type { Answers } from '../engine/answers-file.js';
import { COOKIECUTTER_FILE } from '../engine/cookiecutter/cookiecutter-template.js';
import { MANIFEST_FILE } from '../engine/template-manifest.js';
import { sameTemplate } from '../engine/template-identity.js';
import { isAtOrPast } from '../engine/template-versions.js';
import { isCanary, type Rollout } from '../engine/rollout.js';
import type { GitBounds } from '../git/git-client.js';
import type { Platform, RepoId, RepositoryInfo } from '../github/platform.js';
import { blobId } from '../engine/blob-id.js';
import { answersReader, type AnswersReader, type AnswersText } from './answers-on-github.js';
import type { FannedOutReads } from './fanned-out-reads.js';
import type { ReleaseRead, ReleaseSighting } from './fleet-events.js';
import type { Log } from './log.js';
import { openAppTemplate, type FetchSettings } from './open-template.js';
import type { ReleaseTemplates } from './release-templates.js';
import { releaseRollout } from './release-waves.js';

const ANSWERS_READS_AT_ONCE = 8;

export interface ReleaseEvent {
  readonly template: RepoId;
  readonly tag: string;
  readonly prerelease: boolean;
  /** The second wave of a canary rollout (the canaries merged, or its wait passed): the repositories that are not canaries. */
  readonly wave?: 'rest';
}

export interface FanOutDependencies {
  readonly platform: Platform;
  readonly fetching: FetchSettings;
  readonly log: Log;
  /** The stall limit and the job's deadline for the template fetch. */
  readonly git?: GitBounds;
  /** Queues the update of one repository to `tag`, with what was read here for it; resolves once the queue has accepted it. */
  readonly updateLater: (repo: RepoId, tag: string, reads: FannedOutReads) => Promise<void>;
  /** The canaries went first: queue the release's second wave to start `rollout.waitMs` from now. */
  readonly holdRest: (rollout: Rollout) => Promise<void>;
  /** Where the template as opened here is kept for the queued updates (this process's memory). */
  readonly releaseTemplates?: ReleaseTemplates;
  /**
   * Told what was read of every repository before any update is queued, so the fleet inventory
   * follows the release from these reads and the updates' outcomes, with no scan of its own.
   */
  readonly sighted?: (sighting: ReleaseSighting) => Promise<void>;
  /** Reads an answers file on the default branch; answersOnGitHub when absent. */
  readonly readAnswers?: AnswersReader;
}

/**
 * A template release becomes one queued update per repository that uses the template.
 * 1. ignore releases of repositories that are not templates (no template.yml, nor cookiecutter.json);
 * 2. find the installation's repositories whose answers file (or cruft's `.cruft.json`) names this template;
 * 3. leave out those already at or past the tag, and prereleases for repos that did not ask;
 *    tell the fleet inventory what was read;
 * 4. with a `rollout:` in the release's template.yml, only the canaries among them go now, and
 *    the rest are held for the second wave (queued when every canary's PR is merged, or after
 *    `wait`); the second wave itself queues the rest;
 * 5. open and fetch the template once, so the queued updates all read it from the cache, and
 *    keep its read access and release list for them (release-templates.ts);
 * 6. queue one update per repository, with the answers file, clone URL and template repository
 *    read here, so that it does not read them again (one failing never stops the others).
 */
export async function fanOutRelease(event: ReleaseEvent, deps: FanOutDependencies): Promise<RepoId[]> {
  const { platform, log } = deps;
  // The release's own template.yml: whether it is a template, and its rollout; or its
  // cookiecutter.json (a cookiecutter template, which has no rollout).
  const manifest = await platform.fileText(event.template, MANIFEST_FILE, event.tag);
  if (manifest === undefined && (await platform.fileText(event.template, COOKIECUTTER_FILE, event.tag)) === undefined) return [];

  const templateInfo = await platform.repository(event.template);
  const candidates = (await platform.installationRepositories()).filter((repo) =>
    !repo.archived && `${repo.owner}/${repo.repo}`.toLowerCase() !== `${templateInfo.owner}/${templateInfo.repo}`.toLowerCase());
  // One contents read per repository, a few at a time: an installation may have thousands.
  const reads = new PQueue({ concurrency: ANSWERS_READS_AT_ONCE });
  const reader = answersReader(platform, deps.readAnswers);
  const read = await Promise.all(candidates.map((repo) => reads.add(() => readAnswers(reader, repo, templateInfo, log))));
  const found = new Map(candidates.map((repo, index) => [repo, read[index]?.found]));
  const targets = candidates.filter((_repo, index) => {
    const answers = read[index]?.answers;
    if (answers === 'broken') return true; // its update turns the broken file into the "action required" issue
    if (!answers || !usesTemplate(answers.template, templateInfo)) return false;
    if (event.prerelease && !answers.prereleases) return false;
    return !isAtOrPast(answers.version, event.tag);
  });
  await deps.sighted?.(sighting(templateInfo, event.tag, candidates, read, new Set(targets)));
  if (targets.length === 0) return [];
  const rollout = manifest === undefined ? undefined : releaseRollout(manifest, event, log);
  const { now, held } = splitWaves(targets, rollout, event.wave);

  // Asked of GitHub once, above: the fan-out and its updates all open the template as it answered.
  const carried = { owner: templateInfo.owner, repo: templateInfo.repo, cloneUrl: templateInfo.cloneUrl, htmlUrl: templateInfo.htmlUrl };
  try {
    const template = await openAppTemplate(platform, `${templateInfo.owner}/${templateInfo.repo}`, deps.fetching, deps.git,
      deps.releaseTemplates && { templates: deps.releaseTemplates, tag: event.tag, remember: true }, carried);
    await template.repository.read((await template.repository.resolve(event.tag)).commit);
  } catch (error) {
    // Each update meets the same problem and reports it in its repository; the fetch was only a head start.
    log.warn({ err: error, template: event.template, tag: event.tag }, 'could not fetch the released template ahead of the updates');
  }

  for (const repo of now) {
    const answers = found.get(repo);
    await deps.updateLater({ owner: repo.owner, repo: repo.repo }, event.tag, {
      repository: { cloneUrl: repo.cloneUrl, defaultBranch: repo.defaultBranch }, template: carried,
      ...(answers && { answers: { ...answers, blob: blobId(Buffer.from(answers.text)) } }),
    });
  }
  const wave = rollout ? (event.wave ?? (held.length > 0 ? 'canary' : 'all')) : 'all';
  log.info({ template: event.template, tag: event.tag, repositories: now.length, wave, ...(wave === 'canary' && { canaries: now.map((r) => `${r.owner}/${r.repo}`) }) }, 'template release queued for repositories');
  if (rollout && held.length > 0) {
    await deps.holdRest(rollout);
    log.info({ template: event.template, tag: event.tag, repositories: held.length, wait: rollout.wait }, 'second wave waits for every canary PR to be merged, or for the wait');
  }
  return now.map((repo) => ({ owner: repo.owner, repo: repo.repo }));
}

/**
 * Who goes now and who waits. Without a rollout, or when no canary needs this release, everyone
 * goes (there is nothing to wait for); the second wave is everyone but the canaries.
 */
function splitWaves<T extends RepoId>(targets: readonly T[], rollout: Rollout | undefined, wave: 'rest' | undefined): { now: T[]; held: T[] } {
  if (!rollout) return { now: [...targets], held: [] };
  const rest = targets.filter((repo) => !isCanary(rollout, repo));
  if (wave === 'rest') return { now: rest, held: [] };
  const canaries = targets.filter((repo) => isCanary(rollout, repo));
  return canaries.length === 0 ? { now: [...targets], held: [] } : { now: canaries, held: rest };
}

/** The fan-out's reads as the fleet inventory takes them: every repository following the template, and the others. */
function sighting(
  template: RepositoryInfo, tag: string, candidates: readonly RepositoryInfo[], read: readonly ({ answers: Answers | 'broken' | undefined } | undefined)[], targets: ReadonlySet<RepositoryInfo>,
): ReleaseSighting {
  const repos: ReleaseRead[] = [];
  const others: string[] = [];
  for (const [index, repo] of candidates.entries()) {
    const name = `${repo.owner}/${repo.repo}`;
    const answers = read[index]?.answers;
    if (answers === 'broken') repos.push({ repo: name, behind: true });
    else if (!answers || !usesTemplate(answers.template, template)) others.push(name);
    else repos.push({ repo: name, behind: targets.has(repo), recorded: { version: answers.version ?? answers.commit ?? '', ...(answers.commit && { commit: answers.commit }) } });
  }
  return { template: `${template.owner}/${template.repo}`, tag, repos, others };
}

function usesTemplate(source: string, template: RepositoryInfo): boolean {
  return sameTemplate(source, `${template.owner}/${template.repo}`) || sameTemplate(source, template.cloneUrl);
}

/**
 * A repository's answers (and the file as read); undefined when it has none; 'broken' when the file cannot be read but
 * names this template, so that the repository still hears about it.
 */
async function readAnswers(reader: AnswersReader, repo: RepoId, template: RepositoryInfo, log: Log): Promise<{ answers: Answers | 'broken' | undefined; found?: AnswersText }> {
  const found = await reader(repo);
  if (found === undefined) return { answers: undefined };
  const { path, text } = found;
  try {
    return { answers: parseAnswersFile(path, text), found };
  } catch (error) {
    const named = text.toLowerCase().includes(`${template.owner}/${template.repo}`.toLowerCase());
    log.warn({ repo, err: error, namesTemplate: named }, 'answers file unreadable');
    return { answers: named ? 'broken' : undefined, found };
  }
}

