import { ANSWERS_FILE, parseAnswers } from '../engine/answers-file.js';
import { isCanary, type Rollout } from '../engine/rollout.js';
import { MANIFEST_FILE, parseManifest } from '../engine/template-manifest.js';
import { sameTemplate } from '../engine/template-identity.js';
import { judgeTemplateSource, type SourcePolicy } from '../engine/template-source-policy.js';
import { isAtOrPast } from '../engine/template-versions.js';
import type { UpdateMarker } from '../engine/update-marker.js';
import { isUserError } from '../engine/user-error.js';
import type { Platform, RepoId } from '../github/platform.js';
import type { Log } from './log.js';

/**
 * The rollout in a release's template.yml text, or undefined without one. A template.yml that does not parse
 * leaves the release without waves: each update meets the same error and reports it in its
 * repository's "action required" issue, so the fan-out only logs it.
 */
export function releaseRollout(manifest: string, release: { template: RepoId; tag: string }, log: Log): Rollout | undefined {
  try {
    return parseManifest(manifest).rollout;
  } catch (error) {
    if (!isUserError(error)) throw error;
    log.warn({ template: release.template, tag: release.tag, err: error }, 'template.yml of the release is invalid: no canary waves');
    return undefined;
  }
}

/**
 * A canary's update PR was merged (its marker says so): when every canary now records the release (or
 * a later one) on its default branch, the release's second wave is due. Returns the release, or
 * undefined when the rest must go on waiting (or there are no waves).
 * 1. the template the PR's marker names must be a repository on this GitHub;
 * 2. its template.yml at the PR's version must have a rollout listing this repository;
 * 3. every canary whose answers file names the template must be at or past that version
 *    (a canary that does not use the template, or no longer exists, holds nothing back).
 */
export async function secondWaveDue(
  platform: Platform, repo: RepoId, marker: UpdateMarker, sources: SourcePolicy, log: Log,
): Promise<{ template: RepoId; tag: string; prerelease: boolean } | undefined> {
  const decision = judgeTemplateSource(marker.template, sources);
  if (!decision.allowed || decision.kind !== 'github') return undefined;
  const template = { owner: decision.owner, repo: decision.repo };
  const manifest = await platform.fileText(template, MANIFEST_FILE, marker.to);
  const rollout = manifest === undefined ? undefined : releaseRollout(manifest, { template, tag: marker.to }, log);
  if (!rollout || !isCanary(rollout, repo)) return undefined;

  for (const name of rollout.canary) {
    const [owner = '', canaryRepo = ''] = name.split('/');
    const text = await platform.fileText({ owner, repo: canaryRepo }, ANSWERS_FILE);
    if (text === undefined) continue;
    try {
      const answers = parseAnswers(text);
      if (sameTemplate(answers.template, `${template.owner}/${template.repo}`) && !isAtOrPast(answers.version, marker.to)) {
        log.info({ template, tag: marker.to, waitingFor: name }, 'canary merged; the second wave waits for the other canaries');
        return undefined;
      }
    } catch (error) {
      if (!isUserError(error)) throw error;
      // A canary whose answers file is broken cannot merge its update: it holds the rest until `wait`.
      return undefined;
    }
  }
  const release = (await platform.releases(template)).find((candidate) => candidate.tag === marker.to);
  log.info({ template, tag: marker.to }, 'every canary merged its update: the second wave starts');
  return { template, tag: marker.to, prerelease: release?.prerelease ?? false };
}
