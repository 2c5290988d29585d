import type { ReleaseRecord, RepoRecord } from '../types.js';
import { userShape } from './account.js';
import type { ShapeContext } from './issues.js';
import { nodeId } from './urls.js';

export function releaseShape({ urls, state }: ShapeContext, repo: RepoRecord, release: ReleaseRecord): Record<string, unknown> {
  const api = urls.repoApi(repo.owner, repo.name);
  const html = urls.repoHtml(repo.owner, repo.name);
  return {
    url: `${api}/releases/${release.id}`, html_url: `${html}/releases/tag/${encodeURIComponent(release.tag)}`,
    assets_url: `${api}/releases/${release.id}/assets`, upload_url: `${urls.base}/api/uploads/repos/${repo.owner}/${repo.name}/releases/${release.id}/assets{?name,label}`,
    tarball_url: `${api}/tarball/${release.tag}`, zipball_url: `${api}/zipball/${release.tag}`, id: release.id, node_id: nodeId('Release', release.id),
    tag_name: release.tag, target_commitish: release.targetCommitish, name: release.name, body: release.body, draft: release.draft,
    prerelease: release.prerelease, immutable: false, created_at: release.createdAt, published_at: release.publishedAt,
    updated_at: release.publishedAt ?? release.createdAt, author: userShape(urls, state.user(release.author)), assets: [],
  };
}
