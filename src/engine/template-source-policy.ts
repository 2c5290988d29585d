import { UserError } from './user-error.js';

/**
 * Where the app may fetch a template from. Any repository writer controls the answers file, so
 * its `template:` is untrusted input that would otherwise steer git, with the app's network
 * position and credentials, to any address. This module is the one place that decides; the
 * workflows call it and do not re-check. (The CLI does not use it: its user owns the machine.)
 */
export interface SourcePolicy {
  /** The GitHub the app serves (`https://github.com`, or GHE_HOST with GHE_PROTOCOL). */
  readonly serverUrl: string;
  /** Other hosts whose public https:// repositories may be templates (TEMPLATE_DRIFT_ALLOWED_HOSTS). */
  readonly allowedHosts: readonly string[];
}

export type SourceDecision =
  /** A repository on the served GitHub: read only after checking this installation may read it. */
  | { readonly allowed: true; readonly kind: 'github'; readonly owner: string; readonly repo: string }
  /** A public repository on an allowed host, fetched without credentials at this exact URL. */
  | { readonly allowed: true; readonly kind: 'allowed-host'; readonly url: string }
  | { readonly allowed: false; readonly reason: string };

// GitHub's own rules for names: a login is letters, digits and single hyphens; a repository
// name is letters, digits, `.`, `_` and `-`.
const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}';
const REPO = '[A-Za-z0-9._-]{1,100}';
const OWNER_REPO = new RegExp(`^(${OWNER})/(${REPO})$`);
const REPO_PATH = new RegExp(`^/(${OWNER})/(${REPO})/?$`);
/**
 * The only URL shape accepted: scheme, a host name (letters, digits, dots, hyphens), an optional
 * port, a plain path. No userinfo, query, fragment, percent-escapes, IP literals or backslashes,
 * so there is nothing that WHATWG URL and git (or curl) could read differently.
 */
const PLAIN_URL = /^(https?):\/\/([a-z0-9.-]+)(?::([0-9]{1,5}))?(\/[a-z0-9._~/-]*)?$/i;
const MAX_LENGTH = 1000;

/** Decides whether the app may fetch `source` (an answers file's `template:`), and why not. */
export function judgeTemplateSource(source: string, policy: SourcePolicy): SourceDecision {
  const refused = (reason: string): SourceDecision => ({ allowed: false, reason });
  if (source === '') return refused('it is empty');
  if (source.length > MAX_LENGTH) return refused('it is too long');
  if (/^[a-z][a-z0-9+.-]*::/i.test(source)) return refused('git transport helpers (`ext::`, `fd::` and the like) run programs');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\s\x00-\x1f\x7f]/.test(source)) return refused('it contains whitespace or control characters');
  if (/[^\x21-\x7e]/.test(source)) return refused('it contains non-ASCII characters');
  if (source.includes('\\')) return refused('it contains a backslash');
  if (source.startsWith('-')) return refused('it starts with "-"');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return judgeUrl(source, policy);
  if (source.includes(':')) return refused('scp-style addresses (`user@host:path`) are ssh');
  if (/^(\/|\.|~)/.test(source)) return refused('local paths mean nothing on the app\'s server');
  const match = OWNER_REPO.exec(source);
  if (!match?.[1] || !match[2]) return refused('it is neither owner/repo nor a clone URL');
  return github(match[1], match[2]) ?? refused('it is neither owner/repo nor a clone URL');
}

function judgeUrl(source: string, policy: SourcePolicy): SourceDecision {
  const refused = (reason: string): SourceDecision => ({ allowed: false, reason });
  const scheme = source.slice(0, source.indexOf(':')).toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') return refused(`${scheme}:// is not fetched by the app`);
  const authority = source.slice(scheme.length + 3).split(/[/?#]/)[0] ?? '';
  if (authority.includes('@')) return refused('URLs with a user name or credentials are refused');
  if (/[?#]/.test(source)) return refused('URLs with a query or fragment are refused');
  if (source.includes('%')) return refused('URLs with percent-escapes are refused');
  if (authority.startsWith('[')) return refused('IP address literals are refused');
  const plain = PLAIN_URL.exec(source);
  if (!plain) return refused('it is not a plain clone URL (host name, optional port, path)');
  const [, , rawHost = '', rawPort, rawPath = '/'] = plain;
  const host = rawHost.toLowerCase();
  if (host.endsWith('.') || host.startsWith('.') || host.includes('..')) return refused('its host name is malformed');
  if (rawPath.split('/').some((segment) => segment === '.' || segment === '..') || rawPath.includes('//')) {
    return refused('its path has `.` or `..` segments or an empty one');
  }
  // Cross-check with WHATWG URL: anything it reads differently (a numeric host, a port it
  // normalises) is refused rather than guessed at.
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return refused('it is not a valid URL');
  }
  const port = rawPort === undefined || Number(rawPort) === defaultPort(scheme) ? '' : String(Number(rawPort));
  if (url.hostname !== host || url.port !== port || url.pathname !== rawPath || url.username || url.password || url.search || url.hash) {
    return refused('it is read differently by different URL parsers');
  }
  const server = new URL(policy.serverUrl);
  if (url.origin === server.origin) {
    const repoPath = REPO_PATH.exec(url.pathname);
    const named = repoPath?.[1] && repoPath[2] ? github(repoPath[1], repoPath[2]) : undefined;
    return named ?? refused(`a clone URL on ${server.origin} must be ${server.origin}/owner/repo(.git)`);
  }
  if (!policy.allowedHosts.includes(host)) return refused(`${host}${port ? `:${port}` : ''} is not the GitHub this app serves`);
  if (scheme !== 'https') return refused(`hosts in TEMPLATE_DRIFT_ALLOWED_HOSTS are fetched over https:// only`);
  if (port !== '') return refused(`hosts in TEMPLATE_DRIFT_ALLOWED_HOSTS are fetched on the https port only`);
  return { allowed: true, kind: 'allowed-host', url: `https://${host}${url.pathname}` };
}

function github(owner: string, name: string): SourceDecision | undefined {
  const repo = name.replace(/\.git$/i, '');
  // `.`, `..` and names made only of dots are not repositories (and read as paths elsewhere).
  if (/^\.*$/.test(repo) || repo.includes('..')) return undefined;
  return { allowed: true, kind: 'github', owner, repo };
}

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80;
}

/** What the app accepts as a template, in words, for every refusal. */
export function allowedSourcesText(policy: SourcePolicy): string {
  const server = new URL(policy.serverUrl).origin;
  const hosts = policy.allowedHosts.length > 0
    ? `, or an https:// clone URL of a public repository on ${policy.allowedHosts.join(', ')} (TEMPLATE_DRIFT_ALLOWED_HOSTS)`
    : '';
  return `The app reads templates only from the GitHub it serves: \`owner/repo\`, or a clone URL ${server}/owner/repo.git${hosts}. ` +
    'Local paths, file://, ssh://, git://, scp-style addresses and other hosts are refused.';
}

/** The decision, or the UserError that lands in the "action required" issue or the command's reply. */
export function requireAllowedSource(source: string, policy: SourcePolicy): Exclude<SourceDecision, { allowed: false }> {
  const decision = judgeTemplateSource(source, policy);
  if (decision.allowed) return decision;
  throw new UserError(`The answers file names the template ${shown(source)}, which the app does not fetch: ${decision.reason}. ${allowedSourcesText(policy)}`);
}

/** The source as it can be shown to people: credentials and control characters never echoed. */
function shown(source: string): string {
  const clipped = source.length > 200 ? `${source.slice(0, 200)}…` : source;
  return JSON.stringify(clipped.replace(/(:\/\/)[^/]*@/g, '$1***@'));
}

/**
 * Reads TEMPLATE_DRIFT_ALLOWED_HOSTS: comma-separated host names. Anything else (a scheme, a
 * port, a path, a wildcard) is a configuration error, said at start-up rather than ignored.
 */
export function parseAllowedHosts(value: string | undefined): string[] {
  const hosts = (value ?? '').split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  for (const host of hosts) {
    if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
      throw new Error(`TEMPLATE_DRIFT_ALLOWED_HOSTS: "${host}" is not a host name (write host names only, comma-separated, like gitlab.example.com)`);
    }
  }
  return hosts;
}

/**
 * The protocols git may speak on the app's side: https, and http only when the served GitHub
 * is itself http (GHE_PROTOCOL=http). Everything else (file, ssh, git, ext) stays off in git
 * itself, whatever a URL says.
 */
export function gitProtocols(policy: SourcePolicy): string[] {
  return new URL(policy.serverUrl).protocol === 'http:' ? ['https', 'http'] : ['https'];
}
