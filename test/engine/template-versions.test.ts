import { describe, expect, it } from 'vitest';
import { isAtOrPast, latestVersionTag, tagVersion } from '../../src/engine/template-versions.js';

describe('the default update target', () => {
  it('is the highest semver tag, compared as versions rather than as text', () => {
    expect(latestVersionTag(['v1.2.0', 'v1.10.0', 'v1.9.3'])).toBe('v1.10.0');
  });

  it('skips prereleases unless the repository accepts them', () => {
    const tags = ['v1.0.0', 'v2.0.0-rc.1', 'v1.1.0'];
    expect(latestVersionTag(tags)).toBe('v1.1.0');
    expect(latestVersionTag(tags, true)).toBe('v2.0.0-rc.1');
  });

  it('reads tags with and without a leading v, and ignores tags that are no version', () => {
    expect(latestVersionTag(['1.4.0', 'v1.3.0', 'latest', 'release-9', 'v9', '10.0'])).toBe('1.4.0');
    expect(tagVersion('v2.3.4')?.version).toBe('2.3.4');
    expect(tagVersion('version-2')).toBeNull();
  });

  it('is undefined when no tag is a release', () => {
    expect(latestVersionTag([])).toBeUndefined();
    expect(latestVersionTag(['main', 'v3.0.0-beta.1'])).toBeUndefined();
  });
});

describe('comparing a recorded version with a target', () => {
  it('says whether the recorded version is at or past the target', () => {
    expect(isAtOrPast('v1.2.0', 'v1.2.0')).toBe(true);
    expect(isAtOrPast('v1.3.0', '1.2.0')).toBe(true);
    expect(isAtOrPast('v1.1.9', 'v1.2.0')).toBe(false);
  });

  it('is false when either side is not a version', () => {
    expect(isAtOrPast(undefined, 'v1.0.0')).toBe(false);
    expect(isAtOrPast('main', 'v1.0.0')).toBe(false);
    expect(isAtOrPast('v1.0.0', 'main')).toBe(false);
  });
});
