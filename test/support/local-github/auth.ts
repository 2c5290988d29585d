import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { State } from './state.js';
import type { RepoRecord, TokenRecord } from './types.js';

export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'app' }
  | { readonly kind: 'installation'; readonly token: TokenRecord }
  | { readonly kind: 'invalid'; readonly reason: string };

export interface AppIdentity {
  readonly appId: number;
  /** When given, app JWTs must be signed by the matching private key (RS256) and issued for appId. */
  readonly publicKey?: string | KeyObject;
}

/**
 * Who is calling, from the Authorization header: an app JWT (`Bearer`), an installation token
 * (`token`/`Bearer ghs_...`), or git's Basic auth with the token as password (x-access-token).
 */
export function identifyCaller(header: string | undefined, state: State, app: AppIdentity): Caller {
  if (!header) return { kind: 'anonymous' };
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  let secret = value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    secret = decoded.slice(decoded.indexOf(':') + 1);
  } else if (scheme.toLowerCase() === 'bearer' && value.split('.').length === 3) {
    const problem = checkJwt(value, app);
    return problem ? { kind: 'invalid', reason: problem } : { kind: 'app' };
  } else if (!['token', 'bearer'].includes(scheme.toLowerCase())) {
    return { kind: 'invalid', reason: `unknown authorization scheme ${scheme}` };
  }
  const token = state.validToken(secret);
  return token ? { kind: 'installation', token } : { kind: 'invalid', reason: 'unknown or expired token' };
}

/** Whether the caller may see a repository at all: public ones anyone may; private ones need a token that reaches them. */
export function canRead(caller: Caller, repo: RepoRecord, state: State): boolean {
  if (!repo.private) return true;
  return caller.kind === 'installation' && state.tokenReaches(caller.token, repo);
}

/** Whether the caller may push to a repository: a token that reaches it with contents: write. */
export function canPush(caller: Caller, repo: RepoRecord, state: State): boolean {
  return caller.kind === 'installation' && state.tokenReaches(caller.token, repo) && caller.token.permissions.contents === 'write';
}

function checkJwt(jwt: string, app: AppIdentity): string | undefined {
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  let claims: { iss?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; exp?: unknown };
  } catch {
    return 'the JWT payload is not JSON';
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return "'Expiration time' claim ('exp') is too far in the past";
  if (!app.publicKey) return undefined;
  if (String(claims.iss) !== String(app.appId)) return `'Issuer' claim ('iss') must be ${app.appId}`;
  const key = typeof app.publicKey === 'string' ? createPublicKey(app.publicKey) : app.publicKey;
  const valid = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
  return valid ? undefined : 'A JSON web token could not be decoded';
}
