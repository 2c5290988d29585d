import { UserError } from '../engine/user-error.js';
import { statusOf } from './create-once.js';
import { OctokitPlatform, toRepository, type RestOctokit, type RestRepository } from './octokit-platform.js';
import type { RepositoryInfo } from './platform.js';

/**
 * GitHub for `template-drift scan --owner ACCOUNT`, read with a person's or CI's token: the
 * "installation's repositories" are the account's (an organisation's, or else a user's). It only
 * reads; every write and every token request is refused, so a scan can change nothing.
 */
export class AccountPlatform extends OctokitPlatform {
  constructor(private readonly client: RestOctokit, private readonly account: string) {
    super({
      octokit: client,
      createToken: () => Promise.reject(new Error('template-drift scan only reads')),
      serializeWrite: () => Promise.reject(new Error('template-drift scan only reads')),
    });
  }

  /**
   * The scan's first request, so the failures a person fixes (a token GitHub refuses, an account
   * name that is not one) end here, each as one message that says what to change.
   */
  override async installationRepositories(): Promise<RepositoryInfo[]> {
    try {
      return (await this.accountRepositories()).map(toRepository);
    } catch (error) {
      if (statusOf(error) === 401) {
        throw new UserError(`GitHub refused GITHUB_TOKEN (401 ${messageOf(error)}): give a token that can read the repositories of ${this.account}.`, { cause: error });
      }
      if (statusOf(error) === 404) {
        throw new UserError(`GitHub knows no organisation or user ${this.account} (404), or GITHUB_TOKEN cannot see it.`, { cause: error });
      }
      throw error;
    }
  }

  private async accountRepositories(): Promise<RestRepository[]> {
    try {
      return await this.client.paginate(this.client.rest.repos.listForOrg, { org: this.account, type: 'all', per_page: 100 });
    } catch (error) {
      // Not an organisation: a user's repositories (GitHub answers 404 for a user's name here).
      if (statusOf(error) !== 404) throw error;
      return this.client.paginate(this.client.rest.repos.listForUser, { username: this.account, type: 'owner', per_page: 100 });
    }
  }
}

/** GitHub's own words for a refusal (`Bad credentials`), without Octokit's link to the docs. */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+-\s+https?:\/\/\S+$/, '').trim() || 'refused';
}
