import { ApiError } from './http.js';

/** A failure to inject: a status, GitHub's message for it, and `retry-after` (seconds) for rate limits. */
export interface Fault {
  readonly status: number;
  readonly message?: string;
  readonly retryAfter?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Carry the request out first and only then answer with this failure, as GitHub sometimes
   * does (the issue is created, the answer is a 502). API requests only.
   */
  readonly afterWrite?: boolean;
}

/** A fault taken for one request: the answer to give, and whether the request is carried out first. */
export interface InjectedFault {
  readonly error: ApiError;
  readonly afterWrite: boolean;
}

/**
 * Which requests a rule or a count is about: a RegExp tried on the path, or a string, either a
 * concrete path (`/repos/acme/svc/pulls`) or one with `{placeholders}` (`/repos/{owner}/{repo}/pulls`).
 * API paths are written without `/api/v3`; git paths as served (`/acme/svc.git/git-receive-pack`).
 */
export type PathPattern = string | RegExp;

export interface RecordedRequest {
  /** When the request arrived (ms since the epoch): for counting requests per window of time. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** The description's path template for API requests (`/repos/{owner}/{repo}/pulls`), once matched. */
  template?: string;
  operationId?: string;
  status: number;
  /** Bytes that crossed the connection for this request, once answered (bodies and headers; for benchmarks). */
  bytesIn?: number;
  bytesOut?: number;
}

export function matches(method: string, pattern: PathPattern, request: { method: string; path: string; template?: string | undefined }): boolean {
  if (method !== '*' && method.toUpperCase() !== request.method.toUpperCase()) return false;
  const paths = [request.path, safeDecode(request.path), ...(request.template ? [request.template] : [])];
  if (pattern instanceof RegExp) return paths.some((path) => pattern.test(path));
  const regex = new RegExp(`^${pattern.split(/\{[^}]+\}/).map(escape).join('[^/]+')}$`);
  return paths.some((path) => path === pattern || regex.test(path));
}

/** Injected failures, each used once (or `times` times) by the next matching requests. */
export class Faults {
  private readonly rules: { method: string; pattern: PathPattern; fault: Fault; remaining: number }[] = [];

  add(method: string, pattern: PathPattern, fault: Fault, times = 1): void {
    this.rules.push({ method, pattern, fault, remaining: times });
  }

  /** The failure for this request, if a rule matches; the rule is used up. */
  take(request: { method: string; path: string; template?: string | undefined }): InjectedFault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.method, r.pattern, request));
    if (!rule) return undefined;
    rule.remaining -= 1;
    const { status, retryAfter, headers } = rule.fault;
    const message = rule.fault.message ?? (status >= 500 ? 'Server Error' : status === 403 || status === 429 ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' : 'Injected failure');
    const error = new ApiError(status, message, {}, { ...(retryAfter !== undefined && { 'retry-after': String(retryAfter) }), ...headers });
    return { error, afterWrite: rule.fault.afterWrite ?? false };
  }

  /** Rules not used up: usually a sign the test expected a request that never came. */
  pending(): { method: string; pattern: PathPattern; remaining: number }[] {
    return this.rules.filter((rule) => rule.remaining > 0).map(({ method, pattern, remaining }) => ({ method, pattern, remaining }));
  }

  clear(): void {
    this.rules.length = 0;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
