import type { ReleaseInfo } from '../github/platform.js';

/**
 * What one release's fan-out learnt about its template, kept for the updates it queued: the
 * template repository as GitHub described it, the installation's read token for it, and the
 * release list `ls-remote` gave (and, once read, its releases' notes). With it, an update of that release mints no token for the
 * template and sends its host no request (its objects are already in the cache); without it
 * (another process runs the update, or the entry aged out) an update opens the template itself
 * and keeps what it learnt, in the same way, for the release's next updates in its process.
 *
 * It lives in the worker's memory only, never in a job record: it holds a token. Entries are
 * per installation (a template one installation may read says nothing of another's rights) and
 * per release tag (a later release brings a later release list), and last `TTL_MS`, well inside
 * an installation token's hour.
 */
export interface KnownTemplate {
  readonly url: string;
  readonly htmlUrl: string;
  readonly repoId: { readonly owner: string; readonly repo: string };
  readonly token?: string;
  /** Ref name → commit, as `ls-remote --tags --heads` listed them when the release was fanned out. */
  readonly refs: ReadonlyMap<string, string>;
  /** The template's releases, read through the API by the first update that asks (for release notes). */
  readonly releases: () => Promise<ReleaseInfo[]>;
}

export interface ReleaseTemplates {
  known(template: string, tag: string): KnownTemplate | undefined;
  remember(template: string, tag: string, known: KnownTemplate): void;
}

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 1000;

/** One installation's entries; `now` is the clock (tests move it). */
export function releaseTemplates(now: () => number = Date.now): ReleaseTemplates {
  const entries = new Map<string, { readonly known: KnownTemplate; readonly until: number }>();
  const key = (template: string, tag: string) => `${template.toLowerCase()}@${tag}`;
  return {
    known(template, tag) {
      const entry = entries.get(key(template, tag));
      if (entry && entry.until > now()) return entry.known;
      entries.delete(key(template, tag));
      return undefined;
    },
    remember(template, tag, known) {
      for (const [name, entry] of entries) if (entry.until <= now()) entries.delete(name);
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(key(template, tag), { known, until: now() + TTL_MS });
    },
  };
}
