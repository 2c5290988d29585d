import type { ServerResponse } from 'node:http';
import { repoKey } from './types.js';

/**
 * Repositories whose git endpoints hang: every smart-HTTP request for them is accepted and
 * never answered, as a host that stopped responding would do. The API keeps working.
 */
export class GitStalls {
  /** Stalled repositories: how many more requests to hold (Infinity: until resumed). */
  private readonly stalled = new Map<string, number>();
  private readonly held = new Map<string, Set<ServerResponse>>();

  stall(owner: string, repo: string, requests = Infinity): void {
    this.stalled.set(repoKey(owner, repo), requests);
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
    const left = this.stalled.get(key) ?? 0;
    if (left <= 0) return false;
    if (left === 1) this.stalled.delete(key);
    else this.stalled.set(key, left - 1);
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
