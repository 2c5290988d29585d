import { createRequire } from 'node:module';
import type { Hub } from './hub.js';
import { repoShape, userShape } from './shapes/account.js';
import { nodeId } from './shapes/urls.js';
import type { RepoRecord } from './types.js';

type Example = { name: string; examples: Record<string, unknown>[] };

const require = createRequire(import.meta.url);
let examples: Example[] | undefined;

/**
 * A recorded payload from @octokit/webhooks-examples, deep-copied: the starting point of every
 * payload, so fields the local GitHub does not model still have GitHub's shape.
 */
export function recorded(event: string, action?: string): Record<string, unknown> {
  examples ??= require('@octokit/webhooks-examples/api.github.com/index.json') as Example[];
  const group = examples.find((candidate) => candidate.name === event)?.examples ?? [];
  // Not every action was recorded (issues.closed was not); another action's payload has the same shape.
  const example = group.find((e) => action === undefined || e.action === action) ?? group[0];
  if (!example) throw new Error(`no recorded ${event} example`);
  return { ...structuredClone(example), ...(action !== undefined && { action }) };
}

/** The keys every repository event shares: repository, sender and (when the app is installed) installation. */
export function envelope(hub: Hub, repo: RepoRecord, sender: string, example: Record<string, unknown>): Record<string, unknown> {
  const owner = hub.state.user(repo.owner);
  const openIssues = [...repo.issues.values()].filter((issue) => issue.state === 'open').length;
  const installation = hub.state.installationFor(repo);
  const base = example.repository && typeof example.repository === 'object' ? example.repository : {};
  const payload: Record<string, unknown> = {
    ...example,
    repository: { ...base, ...repoShape(hub.urls, repo, owner, openIssues) },
    sender: userShape(hub.urls, hub.state.user(sender)),
  };
  if (installation) payload.installation = { id: installation.id, node_id: nodeId('Installation', installation.id) };
  else delete payload.installation;
  return payload;
}

/** A nested object of the example with our fields laid over it. */
export function overlay(example: Record<string, unknown>, key: string, shape: Record<string, unknown>): Record<string, unknown> {
  const recordedPart = example[key];
  return { ...(recordedPart && typeof recordedPart === 'object' ? recordedPart : {}), ...shape };
}
