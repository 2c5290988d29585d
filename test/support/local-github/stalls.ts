import type { ServerResponse } from 'node:http';
import { repoKey } from './types.js';

/**
 * Repositories whose git endpoints hang: every smart-HTTP request for them is accepted and
 * never answered, as a host that stopped responding would do. The API keeps working.
 */
export class GitStalls {
  private readonly stalled = new Set<string>();
  private readonly held = new Map<string, Set<ServerResponse>>();

  stall(owner: string, repo: string): void {
    this.stalled.add(repoKey(owner, repo));
  }

  /** Answers again; requests held so far are cut off (their connection is destroyed). */
  resume(owner: string, repo: string): void {
    const key = repoKey(owner, repo);
    this.stalled.delete(key);
    for (const response of this.held.get(key) ?? []) response.destroy();
    this.held.delete(key);
  }

  /** Holds the request when its repository is stalled; says whether it did. */
  hold(owner: string, repo: string, response: ServerResponse): boolean {
    const key = repoKey(owner, repo);
    if (!this.stalled.has(key)) return false;
    const held = this.held.get(key) ?? new Set();
    held.add(response);
    this.held.set(key, held);
    response.once('close', () => held.delete(response));
    return true;
  }

  /** Requests held right now, for one repository. */
  holding(owner: string, repo: string): number {
    return this.held.get(repoKey(owner, repo))?.size ?? 0;
  }
}
