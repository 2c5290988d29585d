import { ApiError, notFound } from '../http.js';
import { ZERO_SHA } from '../git.js';
import { actor, noContent, ok, repoOf, type Route } from './context.js';

/** DELETE git/refs/{ref} (`heads/branch`, `tags/v1`): GitHub answers 422 when the ref does not exist. */
const deleteRef: Route = async (context) => {
  const repo = repoOf(context, 'write');
  const ref = `refs/${(context.params.ref ?? '').replace(/^refs\//, '')}`;
  const git = context.hub.git(repo);
  const before = (await git.refs()).get(ref);
  if (!before) throw new ApiError(422, 'Reference does not exist');
  if (ref === `refs/heads/${repo.defaultBranch}`) throw new ApiError(422, 'Cannot delete the default branch');
  await git.deleteRef(ref);
  await context.events.refsChanged(repo, [{ ref, before, after: ZERO_SHA }], actor(context), 'background');
  return noContent();
};

/**
 * GET git/trees/{tree_sha}: a tree by id or by a branch or tag name; `recursive` (any value)
 * lists everything beneath it. The local GitHub never truncates.
 */
const getTree: Route = async (context) => {
  const repo = repoOf(context);
  const git = context.hub.git(repo);
  if ((await git.refs()).size === 0) throw new ApiError(409, 'Git Repository is empty.');
  const tree = await git.tree(context.params.tree_sha ?? '', context.query.recursive !== undefined);
  if (!tree) throw notFound();
  const api = context.hub.urls.repoApi(repo.owner, repo.name);
  return ok({
    sha: tree.sha, url: `${api}/git/trees/${tree.sha}`, truncated: false,
    tree: tree.entries.map((entry) => ({ ...entry, url: `${api}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}` })),
  });
};

export const gitRoutes: Record<string, Route> = {
  'git/delete-ref': deleteRef,
  'git/get-tree': getTree,
};
