import PQueue from 'p-queue';
import { ANSWERS_FILE, parseAnswers, type Answers } from '../engine/answers-file.js';
import { MANIFEST_FILE } from '../engine/template-manifest.js';
import { sameTemplate } from '../engine/template-identity.js';
import { isAtOrPast } from '../engine/template-versions.js';
import type { GitBounds } from '../git/git-client.js';
import type { Platform, RepoId, RepositoryInfo } from '../github/platform.js';
import type { Log } from './log.js';
import { openAppTemplate, type FetchSettings } from './open-template.js';

const ANSWERS_READS_AT_ONCE = 8;

export interface ReleaseEvent {
  readonly template: RepoId;
  readonly tag: string;
  readonly prerelease: boolean;
}

export interface FanOutDependencies {
  readonly platform: Platform;
  readonly fetching: FetchSettings;
  readonly log: Log;
  /** The stall limit and the job's deadline for the template fetch. */
  readonly git?: GitBounds;
  /** Queues the update of one repository to `tag` (the update workflow, bound to its deps). */
  readonly updateLater: (repo: RepoId, tag: string) => void;
}

/**
 * A template release becomes one queued update per repository that uses the template.
 * 1. ignore releases of repositories that are not templates (no template.yml);
 * 2. find the installation's repositories whose answers file names this template;
 * 3. leave out those already at or past the tag, and prereleases for repos that did not ask;
 * 4. fetch the template once, so the queued updates all read it from the cache;
 * 5. queue one update per repository (one failing never stops the others).
 */
export async function fanOutRelease(event: ReleaseEvent, deps: FanOutDependencies): Promise<RepoId[]> {
  const { platform, log } = deps;
  if ((await platform.fileText(event.template, MANIFEST_FILE)) === undefined) return [];

  const templateInfo = await platform.repository(event.template);
  const candidates = (await platform.installationRepositories()).filter((repo) =>
    !repo.archived && `${repo.owner}/${repo.repo}`.toLowerCase() !== `${templateInfo.owner}/${templateInfo.repo}`.toLowerCase());
  // One contents read per repository, a few at a time: an installation may have thousands.
  const reads = new PQueue({ concurrency: ANSWERS_READS_AT_ONCE });
  const answersOf = await Promise.all(candidates.map((repo) => reads.add(() => readAnswers(platform, repo, templateInfo, log))));
  const targets = candidates.filter((_repo, index) => {
    const answers = answersOf[index];
    if (answers === 'broken') return true; // its update turns the broken file into the "action required" issue
    if (!answers || !usesTemplate(answers.template, templateInfo)) return false;
    if (event.prerelease && !answers.prereleases) return false;
    return !isAtOrPast(answers.version, event.tag);
  });
  if (targets.length === 0) return [];

  try {
    const template = await openAppTemplate(platform, `${templateInfo.owner}/${templateInfo.repo}`, deps.fetching, deps.git);
    await template.repository.read((await template.repository.resolve(event.tag)).commit);
  } catch (error) {
    // Each update meets the same problem and reports it in its repository; the fetch was only a head start.
    log.warn({ err: error, template: event.template, tag: event.tag }, 'could not fetch the released template ahead of the updates');
  }

  for (const repo of targets) deps.updateLater({ owner: repo.owner, repo: repo.repo }, event.tag);
  log.info({ template: event.template, tag: event.tag, repositories: targets.length }, 'template release queued for repositories');
  return targets.map((repo) => ({ owner: repo.owner, repo: repo.repo }));
}

function usesTemplate(source: string, template: RepositoryInfo): boolean {
  return sameTemplate(source, `${template.owner}/${template.repo}`) || sameTemplate(source, template.cloneUrl);
}

/**
 * A repository's answers; undefined when it has none; 'broken' when the file cannot be read but
 * names this template, so that the repository still hears about it.
 */
async function readAnswers(platform: Platform, repo: RepoId, template: RepositoryInfo, log: Log): Promise<Answers | 'broken' | undefined> {
  const text = await platform.fileText(repo, ANSWERS_FILE);
  if (text === undefined) return undefined;
  try {
    return parseAnswers(text);
  } catch (error) {
    const named = text.toLowerCase().includes(`${template.owner}/${template.repo}`.toLowerCase());
    log.warn({ repo, err: error, namesTemplate: named }, 'answers file unreadable');
    return named ? 'broken' : undefined;
  }
}
