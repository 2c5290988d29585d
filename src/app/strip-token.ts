/** The query parameter that carries the fleet page's token once (then a cookie does). */
export const TOKEN_PARAMETER = 'token';

/**
 * A request URL without its `token` parameter (`/template-drift/fleet?token=s&state=behind` →
 * `/template-drift/fleet?state=behind`): what the app's request log may show.
 */
export function stripToken(url: string): string {
  if (!/[?&]token=/i.test(url)) return url;
  const parsed = new URL(url, 'http://app.invalid');
  for (const name of [...parsed.searchParams.keys()]) if (name.toLowerCase() === TOKEN_PARAMETER) parsed.searchParams.delete(name);
  const query = parsed.searchParams.toString();
  return `${parsed.pathname}${query ? `?${query}` : ''}`;
}
