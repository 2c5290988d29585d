import type { CommitInfo, DiffEntry, PathContent } from '../bare-repo.js';
import type { RepoRecord } from '../types.js';
import { nodeId, type Urls } from './urls.js';

/** `commit` (as in compare lists and the single-commit endpoint); `files` only when given. */
export function commitShape(urls: Urls, repo: RepoRecord, commit: CommitInfo, files?: readonly DiffEntry[]): Record<string, unknown> {
  const api = urls.repoApi(repo.owner, repo.name);
  const html = urls.repoHtml(repo.owner, repo.name);
  const person = (p: CommitInfo['author']): Record<string, unknown> => ({ name: p.name, email: p.email, date: p.date });
  const additions = files?.reduce((sum, file) => sum + file.additions, 0) ?? 0;
  const deletions = files?.reduce((sum, file) => sum + file.deletions, 0) ?? 0;
  return {
    url: `${api}/commits/${commit.sha}`, sha: commit.sha, node_id: nodeId('Commit', parseInt(commit.sha.slice(0, 8), 16)),
    html_url: `${html}/commit/${commit.sha}`, comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`, author: person(commit.author), committer: person(commit.committer), message: commit.message.replace(/\n+$/, ''),
      comment_count: 0, tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    // GitHub maps commit emails to accounts; the local GitHub has no emails on file.
    author: null, committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${html}/commit/${sha}` })),
    ...(files && { stats: { total: additions + deletions, additions, deletions }, files: files.map((file) => diffEntryShape(urls, repo, commit.sha, file)) }),
  };
}

export function diffEntryShape(urls: Urls, repo: RepoRecord, ref: string, file: DiffEntry): Record<string, unknown> {
  const api = urls.repoApi(repo.owner, repo.name);
  const html = urls.repoHtml(repo.owner, repo.name);
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  return {
    sha: file.sha, filename: file.path, status: file.status, additions: file.additions, deletions: file.deletions, changes: file.additions + file.deletions,
    blob_url: `${html}/blob/${ref}/${path}`, raw_url: `${html}/raw/${ref}/${path}`, contents_url: `${api}/contents/${path}?ref=${ref}`,
  };
}

/** `content-file` or `content-directory` for GET contents. */
export function contentShape(urls: Urls, repo: RepoRecord, ref: string, path: string, content: PathContent): unknown {
  const api = urls.repoApi(repo.owner, repo.name);
  const html = urls.repoHtml(repo.owner, repo.name);
  const item = (itemPath: string, type: string, sha: string, size: number): Record<string, unknown> => {
    const encoded = itemPath.split('/').map(encodeURIComponent).join('/');
    const self = `${api}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
    const git = `${api}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`;
    const web = `${html}/${type === 'dir' ? 'tree' : 'blob'}/${ref}/${encoded}`;
    return {
      type, size, name: itemPath.split('/').pop() ?? itemPath, path: itemPath, sha, url: self, git_url: git, html_url: web,
      download_url: type === 'file' ? `${html}/raw/${ref}/${encoded}` : null, _links: { self, git, html: web },
    };
  };
  if (content.type === 'dir') return content.entries.map((entry) => item(entry.path, entry.type, entry.sha, entry.size));
  // GitHub wraps base64 at 60 characters; clients must cope with the newlines.
  const base64 = content.content.toString('base64').replace(/.{60}/g, '$&\n');
  return { ...item(path, 'file', content.sha, content.content.length), content: base64, encoding: 'base64' };
}
