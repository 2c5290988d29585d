import { UserError } from '../../engine/user-error.js';
import type { CliEnvironment } from '../environment.js';
import type { Output } from '../output.js';
import { conflictLines, describeUpdate, updateJson } from '../report.js';
import { loadServiceRepository, prepareLocalUpdate, updateFiles, type UpdateFlags } from '../service-repository.js';

export interface UpdateOptions extends UpdateFlags {
  readonly json?: boolean;
}

/**
 * `update`: applies the update to the working tree, uncommitted, for a person to review.
 * 1. refuse a dirty working tree in the service's folder (the update must be reviewable on its own,
 *    and lose nothing; a sibling service's edits in a monorepo are not in the way); the check's
 *    `git status` runs beside the template's reads, and the template is fetched only once it passed;
 * 2. compute the whole plan; 3. write files, the answers file and the template's side of conflicts
 *    kept local (`<path>.template`); 4. name every conflict.
 */
export async function update(dir: string | undefined, options: UpdateOptions, environment: CliEnvironment, output: Output): Promise<number> {
  const service = await loadServiceRepository(dir, environment);
  if (!(await service.checkout.insideGitRepository())) {
    throw new UserError(`${service.checkout.dir} is not in a git repository; update writes only into one, so the change can be reviewed`);
  }
  const status = service.checkout.status();
  const clean = status.then(({ uncommitted }) => {
    if (uncommitted.length === 0) return;
    const shown = uncommitted.slice(0, 5).join(', ') + (uncommitted.length > 5 ? `, and ${uncommitted.length - 5} more` : '');
    throw new UserError(`The working tree has uncommitted changes (${shown}); commit or stash them first`);
  });
  const preparing = prepareLocalUpdate(service, options, environment, output, { status, beforeFetch: () => clean });
  preparing.catch(() => undefined); // a dirty tree is the failure reported
  await clean;
  const prepared = await preparing;
  const { writes, deletes, copies } = await updateFiles(service, prepared);
  await service.checkout.write(writes, deletes);

  const conflicts = prepared.changes.filter((change) => change.conflict);
  if (options.json) {
    output.print(JSON.stringify(updateJson(prepared, copies), null, 2));
  } else {
    output.print(describeUpdate(prepared, output, copies));
    if (conflicts.length > 0) output.print(conflictLines(prepared, copies));
  }
  return conflicts.length > 0 ? 1 : 0;
}
