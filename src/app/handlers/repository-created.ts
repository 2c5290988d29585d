import type { Context } from 'probot';
import type { AppRuntime } from '../runtime.js';

/**
 * A repository was created in an installation that covers all of the account's repositories:
 * made with "Use this template" from a template-drift template, it gets its onboarding PR.
 * The workflow reads `template_repository` from GitHub itself (webhook payloads may lack it).
 */
export function onRepositoryCreated(runtime: AppRuntime) {
  return (context: Context<'repository.created'>): void => {
    const { installation, repository } = context.payload;
    if (!installation) return;
    const scope = runtime.scope(context.octokit, installation.id, context.log);
    void scope.onboard({ repo: { owner: repository.owner.login, repo: repository.name } }).catch(() => undefined);
  };
}
