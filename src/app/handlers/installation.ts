import type { Context } from 'probot';
import type { AppRuntime } from '../runtime.js';

/** Newly installed repositories that already opted in are brought in line with their template's latest release. */
export function onInstallation(runtime: AppRuntime) {
  return (context: Context<'installation.created' | 'installation_repositories.added'>): void => {
    const payload = context.payload;
    const repositories = 'repositories_added' in payload ? payload.repositories_added : payload.repositories ?? [];
    const scope = runtime.scope(context.octokit, payload.installation.id, context.log);
    for (const repository of repositories) {
      const [owner, repo] = repository.full_name.split('/');
      if (!owner || !repo) continue;
      void scope.update({ repo: { owner, repo }, explicit: false, reason: 'installation' }).catch(() => undefined);
    }
  };
}
