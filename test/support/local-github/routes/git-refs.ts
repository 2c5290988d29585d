import { ApiError } from '../http.js';
import { ZERO_SHA } from '../git.js';
import { actor, noContent, repoOf, type Route } from './context.js';

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

export const gitRoutes: Record<string, Route> = {
  'git/delete-ref': deleteRef,
};
