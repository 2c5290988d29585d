import * as z from './schema.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Longer would outlast Node's timers (about 24.8 days) and most people's memory of the release. */
const LONGEST_WAIT_MS = 14 * UNIT_MS.d;
const DURATION_HELP = 'wait is a whole number and a unit (s, m, h or d), such as 30m, 24h or 2d, at most 14d';

/**
 * `rollout:` in template.yml: a release reaches the `canary` repositories first; the others
 * follow once every canary's update PR is merged, or `wait` after the release, whichever comes
 * first (Renovate's and Dependabot's staged rollouts work the same way: a few first, then all).
 */
export const rolloutSchema = z.strictObject({
  /** Repositories (owner/repo) that get each release's update PR first. */
  canary: z.array(z.string().check(z.regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/, 'each canary is a repository written owner/repo')))
    .check(z.minLength(1, 'list at least one canary repository as owner/repo')),
  /** How long the other repositories wait for the canaries' PRs to be merged before they follow anyway. */
  wait: z._default(z.string({ error: DURATION_HELP }).check(z.regex(/^[1-9][0-9]*[smhd]$/, DURATION_HELP),
    z.refine((text) => durationMs(text) <= LONGEST_WAIT_MS, DURATION_HELP)), '24h'),
});

export interface Rollout {
  /** owner/repo, as written. */
  readonly canary: readonly string[];
  /** As written (`24h`), for people. */
  readonly wait: string;
  readonly waitMs: number;
}

/** Which wave of a release a repository is in: the canaries first, then the rest. */
export type Wave = 'canary' | 'rest';

export function toRollout(raw: z.infer<typeof rolloutSchema>): Rollout {
  return { canary: raw.canary, wait: raw.wait, waitMs: durationMs(raw.wait) };
}

export function isCanary(rollout: Rollout, repo: { owner: string; repo: string }): boolean {
  const name = `${repo.owner}/${repo.repo}`.toLowerCase();
  return rollout.canary.some((canary) => canary.toLowerCase() === name);
}

export function waveOf(rollout: Rollout, repo: { owner: string; repo: string }): Wave {
  return isCanary(rollout, repo) ? 'canary' : 'rest';
}

/** The PR body's line about the rollout: which wave this repository is in, and what the other waits for. */
export function rolloutNote(rollout: Rollout, wave: Wave, tag: string): string {
  const canaries = rollout.canary.map((name) => `\`${name}\``).join(', ');
  return wave === 'canary'
    ? `**Rollout:** this repository is in the canary wave of \`${tag}\`. The template's other repositories get this update once every canary's update PR is merged, or ${rollout.wait} after the release.`
    : `**Rollout:** this repository is in the second wave of \`${tag}\`, after the canary repositories (${canaries}).`;
}

function durationMs(text: string): number {
  const unit = text.slice(-1) as keyof typeof UNIT_MS;
  return Number(text.slice(0, -1)) * (UNIT_MS[unit] ?? Number.NaN);
}
