import { templateKey } from '../engine/template-identity.js';
import { UserError } from '../engine/user-error.js';
import type { Platform, RepoId, RepositoryInfo } from '../github/platform.js';
import type { GitBounds } from '../git/git-client.js';
import { redact } from '../git/redact.js';
import { isUrl, tokenAuthEnv } from '../git/template-location.js';
import { TemplateStore, type TemplateRepository } from '../git/template-store.js';

export interface AppTemplate {
  readonly repository: TemplateRepository;
  /** The template's repository on this GitHub, when it is one (for release notes). */
  readonly repoId: RepoId | undefined;
  /** The template repository's name, for titles and commit messages. */
  readonly name: string;
  readonly htmlUrl: string;
}

/**
 * Opens the template an answers file names, from the app's side. `owner/repo` is looked up on
 * the same GitHub as the service (so Enterprise and the test server work) and read with a token
 * scoped to it; a URL is read as given, with a token only when it is on the same host. Local
 * paths mean nothing on a server and are refused.
 */
export async function openAppTemplate(
  platform: Platform, service: RepositoryInfo, source: string, cacheDir: string, bounds?: GitBounds,
): Promise<AppTemplate> {
  const key = templateKey(source);
  const serviceOrigin = new URL(service.cloneUrl).origin;
  if (!isUrl(source) && (!key || source.includes('..') || source.startsWith('/'))) {
    throw new UserError(`The answers file names the template "${source}"; the app needs owner/repo or a clone URL`);
  }
  const sameHost = !isUrl(source) || new URL(source).origin === serviceOrigin;
  const [owner, repo] = key?.split('/') ?? [];
  let repoId: RepoId | undefined;
  let url = source;
  let htmlUrl = redact(source);
  if (sameHost && owner && repo) {
    try {
      const info = await platform.repository({ owner, repo });
      repoId = { owner: info.owner, repo: info.repo };
      url = info.cloneUrl;
      htmlUrl = info.htmlUrl;
    } catch {
      // Not visible to this installation: a public template, fetched without our token.
      url = isUrl(source) ? source : `${serviceOrigin}/${owner}/${repo}.git`;
    }
  }
  const token = repoId ? await platform.repositoryToken(repoId, 'read') : undefined;
  const store = new TemplateStore({ cacheDir, env: tokenAuthEnv(url, token), secrets: token ? [token] : [], ...(bounds && { bounds }) });
  const repository = await store.open({ url, display: redact(url) });
  return { repository, repoId, name: repo ?? key ?? 'template', htmlUrl };
}
