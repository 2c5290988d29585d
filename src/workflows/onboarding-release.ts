import semver from 'semver';
import type { ReleaseChoice } from '../engine/onboarding-text.js';
import { tagVersion } from '../engine/template-versions.js';
import type { ResolvedRef, TemplateRepository } from '../git/template-store.js';

/**
 * The release a repository made with "Use this template" was made from, which GitHub does not
 * record (the copy is one fresh commit):
 * 1. the latest release whose tree is the repository's tree: the copy is exactly that release;
 * 2. otherwise the latest release whose tagged commit is dated at or before the repository's
 *    creation: what was released when the copy was made (the default branch may have been ahead);
 * 3. otherwise (every release is newer) the first release.
 * Prereleases are never chosen. Undefined when the template has no release at all.
 */
export async function onboardingRelease(template: TemplateRepository, repoTree: string, createdAt: string): Promise<{ ref: ResolvedRef; choice: ReleaseChoice } | undefined> {
  const tags = (await template.tags())
    .filter((tag) => tagVersion(tag) && tagVersion(tag)!.prerelease.length === 0)
    .sort((a, b) => semver.rcompare(tagVersion(a)!, tagVersion(b)!));
  if (tags.length === 0) return undefined;
  const releases = await Promise.all(tags.map(async (tag) => {
    const ref = await template.resolve(tag);
    return { ref, ...(await template.commitInfo(ref.commit)) };
  }));
  const created = Date.parse(createdAt);
  const byTree = releases.find((release) => release.tree === repoTree);
  if (byTree) return { ref: byTree.ref, choice: { kind: 'tree', tag: byTree.ref.ref } };
  const byDate = releases.find((release) => Date.parse(release.date) <= created);
  if (byDate) return { ref: byDate.ref, choice: { kind: 'date', tag: byDate.ref.ref, created: createdAt } };
  const oldest = releases.at(-1)!;
  return { ref: oldest.ref, choice: { kind: 'oldest', tag: oldest.ref.ref, created: createdAt } };
}
