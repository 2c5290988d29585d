import { requireAllowedSource, type SourcePolicy } from '../engine/template-source-policy.js';
import { isTransient, TransientError, UserError } from '../engine/user-error.js';
import type { Platform, ReleaseInfo, RepoId } from '../github/platform.js';
import type { GitBounds } from '../git/git-client.js';
import { redact } from '../git/redact.js';
import { tokenAuthEnv } from '../git/template-location.js';
import { TemplateStore, type TemplateRepository } from '../git/template-store.js';
import { namesOnServedGitHub, type CarriedRepository } from './fanned-out-reads.js';
import type { KnownTemplate, ReleaseTemplates } from './release-templates.js';

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
  /**
   * The template repository's releases (for release notes), read once: the updates of one release
   * in a process share the read of whoever opened it first.
   */
  readonly releases: () => Promise<ReleaseInfo[]>;
}

/**
 * An update of one release (`tag`) of its template, or (`remember`) that release's fan-out, which
 * keeps what it learns for them (an update that finds nothing kept keeps what it learns too).
 */
export interface ReleaseContext {
  readonly templates: ReleaseTemplates;
  readonly tag: string;
  readonly remember?: boolean;
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
 * An update of a release its fan-out opened (`release`) still asks GitHub which repository the
 * template is, and for that same repository takes the fan-out's read token and release list,
 * made for the same installation minutes before, instead of a token and an `ls-remote` of its own.
 * With `carried` (the template repository as the fan-out's job recorded it) it does not ask
 * GitHub again either, when that is the repository the answers name, on the served GitHub.
 */
export async function openAppTemplate(
  platform: Platform, source: string, fetching: FetchSettings, bounds?: GitBounds, release?: ReleaseContext, carried?: CarriedRepository,
): Promise<AppTemplate> {
  const decision = requireAllowedSource(source, fetching.sources);
  const name = decision.kind === 'github' ? `${decision.owner}/${decision.repo}` : undefined;
  // The release's fan-out already asked GitHub and the template's host (release-templates.ts).
  const fannedOut = name && release && !release.remember ? release.templates.known(name, release.tag) : undefined;
  const readable: Readable = decision.kind === 'github'
    // GitHub's names are case-insensitive; its answer carries the canonical spelling.
    ? await readableOnGitHub(platform, { owner: decision.owner.toLowerCase(), repo: decision.repo.toLowerCase() }, fannedOut, carriedFor(decision, carried, fetching))
    : { url: decision.url, htmlUrl: decision.url.replace(/\.git$/, '') };
  // Taken only for the very repository GitHub just named (a renamed or replaced template is asked anew).
  const known = fannedOut && readable.url === fannedOut.url ? fannedOut : undefined;

  const store = new TemplateStore({
    cacheDir: fetching.cacheDir,
    env: tokenAuthEnv(readable.url, readable.token),
    secrets: readable.token ? [readable.token] : [],
    protocols: fetching.gitProtocols,
    ...(bounds && { bounds }),
    ...(known && { knownRefs: known.refs }),
  });
  const repository = await store.open({ url: readable.url, display: redact(readable.url) });
  if (decision.kind === 'github' && !readable.token && !known) {
    // Seen but not granted: public, or not ours to read. Git with no credentials at all must see
    // it (an anonymous API read would spend the 60-an-hour unauthenticated limit); its tags are
    // needed anyway. Until this passes, no cached commit of it is served.
    await repository.tags().catch((error: unknown) => {
      const detail = error instanceof Error ? ` (${error.message})` : '';
      const message = `${unreadable(`${decision.owner}/${decision.repo}`)}${detail}`;
      throw isTransient(error) ? new TransientError(message, { cause: error }) : new UserError(message, { cause: error });
    });
  }
  // The fan-out keeps what it learnt for its updates; an update that found nothing kept (run in
  // another process, or after the entry aged out) keeps what it learnt for the next ones here.
  const { repoId } = readable;
  const releases = known?.releases ?? readOnce(async () => (repoId ? platform.releases(repoId) : []));
  if (name && release && !known && repoId) {
    const refs = await repository.listedRefs();
    // Only a list that holds the release: one read before the tag existed would refuse every update.
    if (refs.has(`refs/tags/${release.tag}`)) release.templates.remember(name, release.tag, { ...readable, repoId, refs, releases });
  }
  const shown = (repoId?.repo ?? readable.url.split('/').pop() ?? 'template').replace(/\.git$/, '');
  return { repository, repoId, name: shown, htmlUrl: readable.htmlUrl, releases };
}

/**
 * An installation token sees the installation's repositories and public ones; a read token can
 * be made only for the installation's own. A repository it sees but cannot have a token for is
 * public, and is read without credentials.
 */
async function readableOnGitHub(platform: Platform, id: RepoId, fannedOut?: KnownTemplate, carried?: CarriedRepository): Promise<Readable> {
  const seen = carried ?? (await platform.findRepository(id));
  if (!seen) throw new UserError(unreadable(`${id.owner}/${id.repo}`));
  const repoId = { owner: seen.owner, repo: seen.repo };
  // Tokens name repositories within the installation's account only, so a token made for a
  // same-named repository elsewhere can be no key to this one: at worst a public template is
  // fetched with a header it does not need. The release's fan-out made one for this repository
  // minutes ago, for this installation.
  const token = fannedOut && fannedOut.url === seen.cloneUrl ? fannedOut.token : await platform.installedReadToken(repoId);
  return { url: seen.cloneUrl, htmlUrl: seen.htmlUrl, repoId, ...(token && { token }) };
}

/** The carried template, when it is the repository the answers name and both its URLs are on the served GitHub. */
function carriedFor(named: RepoId, carried: CarriedRepository | undefined, fetching: FetchSettings): CarriedRepository | undefined {
  if (!carried || carried.owner.toLowerCase() !== named.owner.toLowerCase() || carried.repo.toLowerCase() !== named.repo.toLowerCase()) return undefined;
  const served = (url: string) => namesOnServedGitHub(url, carried, fetching.sources);
  return served(carried.cloneUrl) && served(carried.htmlUrl) ? carried : undefined;
}

/** `read`'s answer, asked for once; a failure is not kept, so the next caller asks again. */
function readOnce<T>(read: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () => {
    answer ??= read().catch((error: unknown) => {
      answer = undefined;
      throw error;
    });
    return answer;
  };
}

function unreadable(template: string): string {
  return `Template ${template} cannot be read by this repository's installation of the app: it is not public, and it is not one of ` +
    'the repositories this installation was granted (or it does not exist). A private template must be in the same installation ' +
    'as the repositories that use it: grant the app access to it there, or make the template public.';
}
