import type { RepositoryToken } from './platform.js';

/** Renewed this long before it expires, at most: a git command started just before expiry must still get through. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * A token that is minted when first asked for and minted again once it is close to expiring:
 * a job can outlive the token it started with (GitHub's last an hour). Renewal comes at nine
 * tenths of the token's life, or five minutes before its end, whichever is earlier.
 * https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app
 */
export function renewingToken(mint: () => Promise<RepositoryToken>, now: () => number = Date.now): () => Promise<string> {
  let current: { token: string; renewAt: number } | undefined;
  return async () => {
    if (!current || now() >= current.renewAt) {
      const minted = now();
      const { token, expiresAt } = await mint();
      const life = expiresAt.getTime() - minted;
      current = { token, renewAt: minted + Math.min(life * 0.9, life - RENEW_BEFORE_MS) };
    }
    return current.token;
  };
}
