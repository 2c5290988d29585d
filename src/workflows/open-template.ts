import { requireAllowedSource, type SourcePolicy } from '../engine/template-source-policy.js';
import { UserError } from '../engine/user-error.js';
import type { Platform, RepoId } from '../github/platform.js';
import type { GitBounds } from '../git/git-client.js';
import { redact } from '../git/redact.js';
import { tokenAuthEnv } from '../git/template-location.js';
import { TemplateStore, type TemplateRepository } from '../git/template-store.js';

/** How the app fetches, for one installation. */
export interface FetchSettings {
  /** This installation's own template cache: nothing another installation fetched is in it. */
  readonly cacheDir: string;
  /** Where templates may come from. */
  readonly sources: SourcePolicy;
  /** The only protocols git may speak (https, plus http when the served GitHub is http). */
  readonly gitProtocols: readonly string[];
}

export interface AppTemplate {
  readonly repository: TemplateRepository;
  /** The template's repository on this GitHub, when it is one (for release notes). */
  readonly repoId: RepoId | undefined;
  /** The template repository's name, for titles and commit messages. */
  readonly name: string;
  readonly htmlUrl: string;
}

interface Readable {
  readonly url: string;
  readonly htmlUrl: string;
  readonly repoId?: RepoId;
  /** A read-only token for the template alone; none for a public template. */
  readonly token?: string;
}

/**
 * Opens the template an answers file names, from the app's side, on every use (nothing cached
 * is served before these checks pass):
 * 1. the source must be one the policy allows (refused before git runs);
 * 2. the template must be readable by this installation: one of its repositories, read with a
 *    token for that repository alone, or a public one, confirmed by asking git with no
 *    credentials at all;
 * 3. it is read through this installation's own cache, by git restricted to the allowed protocols.
 */
export async function openAppTemplate(platform: Platform, source: string, fetching: FetchSettings, bounds?: GitBounds): Promise<AppTemplate> {
  const decision = requireAllowedSource(source, fetching.sources);
  const readable: Readable = decision.kind === 'github'
    // GitHub's names are case-insensitive; its answer carries the canonical spelling.
    ? await readableOnGitHub(platform, { owner: decision.owner.toLowerCase(), repo: decision.repo.toLowerCase() })
    : { url: decision.url, htmlUrl: decision.url.replace(/\.git$/, '') };

  const store = new TemplateStore({
    cacheDir: fetching.cacheDir,
    env: tokenAuthEnv(readable.url, readable.token),
    secrets: readable.token ? [readable.token] : [],
    protocols: fetching.gitProtocols,
    ...(bounds && { bounds }),
  });
  const repository = await store.open({ url: readable.url, display: redact(readable.url) });
  if (decision.kind === 'github' && !readable.token) {
    // Seen but not granted: public, or not ours to read. Git with no credentials at all must see
    // it (an anonymous API read would spend the 60-an-hour unauthenticated limit); its tags are
    // needed anyway. Until this passes, no cached commit of it is served.
    await repository.tags().catch((error: unknown) => {
      const detail = error instanceof Error ? ` (${error.message})` : '';
      throw new UserError(`${unreadable(`${decision.owner}/${decision.repo}`)}${detail}`, { cause: error });
    });
  }
  const name = (readable.repoId?.repo ?? readable.url.split('/').pop() ?? 'template').replace(/\.git$/, '');
  return { repository, repoId: readable.repoId, name, htmlUrl: readable.htmlUrl };
}

/**
 * An installation token sees the installation's repositories and public ones; a read token can
 * be made only for the installation's own. A repository it sees but cannot have a token for is
 * public, and is read without credentials.
 */
async function readableOnGitHub(platform: Platform, id: RepoId): Promise<Readable> {
  const seen = await platform.findRepository(id);
  if (!seen) throw new UserError(unreadable(`${id.owner}/${id.repo}`));
  const repoId = { owner: seen.owner, repo: seen.repo };
  // Tokens name repositories within the installation's account only, so a token made for a
  // same-named repository elsewhere can be no key to this one: at worst a public template is
  // fetched with a header it does not need.
  const token = await platform.installedReadToken(repoId);
  return { url: seen.cloneUrl, htmlUrl: seen.htmlUrl, repoId, ...(token && { token }) };
}

function unreadable(template: string): string {
  return `Template ${template} cannot be read by this repository's installation of the app: it is not public, and it is not one of ` +
    'the repositories this installation was granted (or it does not exist). A private template must be in the same installation ' +
    'as the repositories that use it: grant the app access to it there, or make the template public.';
}
