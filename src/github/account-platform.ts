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

  override async installationRepositories(): Promise<RepositoryInfo[]> {
    let repositories: RestRepository[];
    try {
      repositories = await this.client.paginate(this.client.rest.repos.listForOrg, { org: this.account, type: 'all', per_page: 100 });
    } catch (error) {
      // Not an organisation: a user's repositories (GitHub answers 404 for a user's name here).
      if (statusOf(error) !== 404) throw error;
      repositories = await this.client.paginate(this.client.rest.repos.listForUser, { username: this.account, type: 'owner', per_page: 100 });
    }
    return repositories.map(toRepository);
  }
}
