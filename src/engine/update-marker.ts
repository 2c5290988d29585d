/**
 * The hidden marker in an update PR's body: which template, from which version to which. It is
 * how the app recognises its own PRs and remembers a declined version (a closed, unmerged PR
 * carrying the marker), with no database.
 */
export interface UpdateMarker {
  readonly template: string;
  readonly from: string | null;
  readonly to: string;
}

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
    return { template: value.template, from: typeof value.from === 'string' ? value.from : null, to: value.to };
  } catch {
    return undefined;
  }
}
