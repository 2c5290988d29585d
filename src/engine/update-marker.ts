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
}

const COMMIT_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

const PATTERN = /<!--\s*template-drift-update\s+(\{.*?\})\s*-->/s;

export function formatMarker(marker: UpdateMarker): string {
  // `--` cannot end an HTML comment inside JSON we write: JSON.stringify never emits `-->`.
  return `<!-- template-drift-update ${JSON.stringify(marker).replace(/--/g, '-\\u002d')} -->`;
}

export function readMarker(body: string | null | undefined): UpdateMarker | undefined {
  const match = body ? PATTERN.exec(body) : null;
  if (!match?.[1]) return undefined;
  try {
    const value = JSON.parse(match[1]) as Partial<UpdateMarker>;
    if (typeof value.template !== 'string' || typeof value.to !== 'string') return undefined;
    const head = typeof value.head === 'string' && COMMIT_SHA.test(value.head) ? value.head : undefined;
    return { template: value.template, from: typeof value.from === 'string' ? value.from : null, to: value.to, ...(head && { head }) };
  } catch {
    return undefined;
  }
}
