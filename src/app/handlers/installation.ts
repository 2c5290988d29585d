import type { Context } from 'probot';
import type { AppRuntime } from '../runtime.js';

/**
 * Newly installed repositories that already opted in are brought in line with their template's
 * latest release. A repository added to an installation that has no answers file may have been
 * made with "Use this template" (an installation on selected repositories hears no
 * `repository.created` for it): the same job gives it its onboarding PR.
 */
export function onInstallation(runtime: AppRuntime) {
  return async (context: Context<'installation.created' | 'installation_repositories.added'>): Promise<void> => {
    const payload = context.payload;
    const repositories = 'repositories_added' in payload ? payload.repositories_added : payload.repositories ?? [];
    for (const repository of repositories) {
      const [owner, repo] = repository.full_name.split('/');
      if (!owner || !repo) continue;
      await runtime.queue.enqueue({
        kind: 'update', installationId: payload.installation.id, repo: { owner, repo }, explicit: false, reason: 'installation',
        ...('repositories_added' in payload && { onboardIfNew: true }),
      });
    }
  };
}
