/**
 * The hidden marker in an update PR's body: which template, from which version to which, and
 * the commit the app last pushed to the update branch. It is how the app recognises its own PRs,
 * remembers a declined version (a closed, unmerged PR carrying the marker) and tells its own
 * branch head from a person's, with no database.
 */
export interface UpdateMarker {
  readonly template: string;
  readonly from: string | null;
  readonly to: string;
  /** The commit the app pushed (absent in PRs written before the app recorded it). */
  readonly head?: string;
  /** Set on a canary's PR: its merge may start the release's second wave. */
  readonly wave?: 'canary';
}

const COMMIT_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** A hidden HTML comment `<!-- template-drift-KIND {json} -->` in a PR body. */
export function formatHiddenJson(kind: string, value: object): string {
  // `--` cannot end an HTML comment inside JSON we write: JSON.stringify never emits `-->`.
  return `<!-- template-drift-${kind} ${JSON.stringify(value).replace(/--/g, '-\\u002d')} -->`;
}

/** The JSON of the first `<!-- template-drift-KIND {json} -->` in `body`, or undefined. */
export function readHiddenJson(kind: string, body: string | null | undefined): Record<string, unknown> | undefined {
  const match = body ? new RegExp(`<!--\\s*template-drift-${kind}\\s+(\\{.*?\\})\\s*-->`, 's').exec(body) : null;
  if (!match?.[1]) return undefined;
  try {
    const value: unknown = JSON.parse(match[1]);
    return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

export function formatMarker(marker: UpdateMarker): string {
  return formatHiddenJson('update', marker);
}

export function readMarker(body: string | null | undefined): UpdateMarker | undefined {
  const value = readHiddenJson('update', body) as Partial<UpdateMarker> | undefined;
  if (typeof value?.template !== 'string' || typeof value.to !== 'string') return undefined;
  const head = typeof value.head === 'string' && COMMIT_SHA.test(value.head) ? value.head : undefined;
  return {
    template: value.template, from: typeof value.from === 'string' ? value.from : null, to: value.to, ...(head && { head }),
    ...(value.wave === 'canary' && { wave: 'canary' as const }),
  };
}
