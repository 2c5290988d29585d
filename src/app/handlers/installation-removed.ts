import type { Context } from 'probot';
import type { AppRuntime } from '../runtime.js';

/**
 * The app was uninstalled or suspended: the installation's queued work is cancelled (in every
 * process, with Redis), its running jobs are stopped (their git processes too), and its lanes are freed. GitHub would refuse every
 * call the work makes from now on anyway; dropping it keeps it from holding slots other
 * installations wait for.
 */
export function onInstallationGone(runtime: AppRuntime) {
  return async (context: Context<'installation.deleted' | 'installation.suspend'>): Promise<void> => {
    const { installation, action } = context.payload;
    const dropped = await runtime.forget(installation.id);
    context.log.info({ installation: installation.id, action, dropped }, 'installation gone: its work is dropped');
  };
}

/** Repositories were removed from the installation: their queued and running work is dropped. */
export function onRepositoriesRemoved(runtime: AppRuntime) {
  return async (context: Context<'installation_repositories.removed'>): Promise<void> => {
    const { installation, repositories_removed: removed } = context.payload;
    const repositories = removed.map((repository) => repository.full_name);
    const dropped = await runtime.forget(installation.id, repositories);
    context.log.info({ installation: installation.id, repositories: repositories.length, dropped }, 'repositories removed: their work is dropped');
  };
}
