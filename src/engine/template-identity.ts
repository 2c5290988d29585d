/**
 * One key per template repository, whatever way an answers file names it: `acme/tpl`,
 * `https://github.com/acme/tpl.git`, `git@github.com:acme/tpl`, any letter case. Compared as
 * `owner/repo` lower-cased, since GitHub names are case-insensitive.
 */
export function templateKey(source: string): string | undefined {
  const trimmed = source.trim().replace(/\/+$/, '').replace(/\.git$/i, '');
  const match = /(?:^|[/:])([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(trimmed);
  if (!match?.[1] || !match[2]) return undefined;
  return `${match[1]}/${match[2]}`.toLowerCase();
}

export function sameTemplate(a: string, b: string): boolean {
  const keyA = templateKey(a);
  return keyA !== undefined && keyA === templateKey(b);
}
