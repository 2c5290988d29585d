import type { Context } from 'probot';
import type { AppRuntime } from '../runtime.js';

/**
 * A repository was created in an installation that covers all of the account's repositories:
 * made with "Use this template" from a template-drift template, it gets its onboarding PR.
 * The workflow reads `template_repository` from GitHub itself (webhook payloads may lack it).
 */
export function onRepositoryCreated(runtime: AppRuntime) {
  return async (context: Context<'repository.created'>): Promise<void> => {
    const { installation, repository } = context.payload;
    if (!installation) return;
    await runtime.queue.enqueue({
      kind: 'onboard', installationId: installation.id, repo: { owner: repository.owner.login, repo: repository.name }, reason: 'created', explicit: false,
    });
  };
}
