import type { ReleaseNote } from '../engine/pull-request-text.js';
import { tagVersion } from '../engine/template-versions.js';
import type { AppTemplate } from './open-template.js';
import type { Log } from './log.js';
import semver from 'semver';

/**
 * The template's published releases after `from`, up to and including `to`, oldest first.
 * Notes are a courtesy: if they cannot be read, the update goes on without them.
 */
export async function releaseNotesBetween(
  template: Pick<AppTemplate, 'repoId' | 'releases'>, from: string | undefined, to: string, log: Log,
): Promise<ReleaseNote[]> {
  if (!template.repoId) return [];
  const upper = tagVersion(to);
  if (!upper) return [];
  const lower = from ? tagVersion(from) : null;
  try {
    const releases = await template.releases();
    return releases
      .filter((release) => !release.draft)
      .map((release) => ({ release, version: tagVersion(release.tag) }))
      .filter((item): item is { release: typeof item.release; version: semver.SemVer } =>
        item.version !== null && semver.lte(item.version, upper) && (!lower || semver.gt(item.version, lower)))
      .sort((a, b) => semver.compare(a.version, b.version))
      .map(({ release }) => ({ tag: release.tag, name: release.name, body: release.body, url: release.url }));
  } catch (error) {
    log.warn({ err: error, template: template.repoId }, 'could not read template release notes');
    return [];
  }
}
