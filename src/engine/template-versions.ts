import semver from 'semver';

/** A tag name read as a version: `v1.4.0` and `1.4.0` both count; anything else is not a version. */
export function tagVersion(tag: string): semver.SemVer | null {
  return semver.parse(tag.replace(/^v(?=\d)/, ''));
}

/**
 * The default update target: the highest semver tag that is not a prerelease (or, when the
 * repository accepts prereleases, the highest of all).
 */
export function latestVersionTag(tags: readonly string[], includePrereleases = false): string | undefined {
  let best: { tag: string; version: semver.SemVer } | undefined;
  for (const tag of tags) {
    const version = tagVersion(tag);
    if (!version || (version.prerelease.length > 0 && !includePrereleases)) continue;
    if (!best || semver.gt(version, best.version)) best = { tag, version };
  }
  return best?.tag;
}

/** True when `ref` names a version at or past `target` (both read as tags); false when either is no version. */
export function isAtOrPast(ref: string | undefined, target: string): boolean {
  const current = ref === undefined ? null : tagVersion(ref);
  const wanted = tagVersion(target);
  return current !== null && wanted !== null && semver.gte(current, wanted);
}
