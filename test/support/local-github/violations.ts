/**
 * A request the real GitHub would not have accepted (or that the local GitHub cannot answer):
 * the test that caused it fails, even if the app coped with the error response.
 */
export interface Violation {
  readonly kind: 'unknown-route' | 'invalid-request' | 'invalid-json' | 'not-implemented' | 'invalid-response' | 'internal-error';
  readonly method: string;
  readonly path: string;
  readonly operationId?: string;
  readonly body?: unknown;
  readonly errors: readonly string[];
}

export class Violations {
  private readonly list: Violation[] = [];

  add(violation: Violation): void {
    this.list.push(violation);
  }

  all(): readonly Violation[] {
    return [...this.list];
  }

  clear(): void {
    this.list.length = 0;
  }

  /** Throws one error listing every violation (and forgets them, so the next test starts clean). */
  assertNone(): void {
    if (this.list.length === 0) return;
    const text = this.list.map((v) => `- ${v.kind}: ${v.method} ${v.path}${v.operationId ? ` (${v.operationId})` : ''}\n    ${v.errors.join('\n    ')}${v.body === undefined ? '' : `\n    body: ${JSON.stringify(v.body).slice(0, 500)}`}`).join('\n');
    this.clear();
    throw new Error(`Requests GitHub's REST description does not allow (or local GitHub answers that break it):\n${text}`);
  }
}
