import type { Context } from 'probot';
import type { AppRuntime } from '../runtime.js';

/**
 * Newly installed repositories that already opted in are brought in line with their template's
 * latest release. A repository added to an installation that has no answers file may have been
 * made with "Use this template" (an installation on selected repositories hears no
 * `repository.created` for it): it gets its onboarding PR.
 */
export function onInstallation(runtime: AppRuntime) {
  return (context: Context<'installation.created' | 'installation_repositories.added'>): void => {
    const payload = context.payload;
    const repositories = 'repositories_added' in payload ? payload.repositories_added : payload.repositories ?? [];
    const scope = runtime.scope(context.octokit, payload.installation.id, context.log);
    for (const repository of repositories) {
      const [owner, repo] = repository.full_name.split('/');
      if (!owner || !repo) continue;
      const update = () => scope.update({ repo: { owner, repo }, explicit: false, reason: 'installation' });
      if (!('repositories_added' in payload)) {
        void update().catch(() => undefined);
        continue;
      }
      // Waits for the update's outcome, so it runs among the jobs that wait (see AppRuntime.waiting).
      void runtime.waiting.enqueue({
        installation: payload.installation.id,
        repository: repository.full_name,
        name: 'onboard-if-new',
        // Each queued job reports its own failure; this one only chains them.
        run: async () => {
          const outcome = await update().catch(() => undefined);
          if (outcome?.kind === 'not-configured') await scope.onboard({ repo: { owner, repo } }).catch(() => undefined);
        },
      }).catch(() => undefined);
    }
  };
}
