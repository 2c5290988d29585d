import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ANSWERS_FILES } from '../engine/answers-document.js';
import { blobId } from '../engine/blob-id.js';
import { isAtOrPast } from '../engine/template-versions.js';

/** GitHub's own characters for account and repository names: nothing a key or a path could misread. */
const NAME = /^[A-Za-z0-9._-]{1,100}$/;
const repoId = z.object({ owner: z.string().regex(NAME), repo: z.string().regex(NAME) });
const positive = z.number().int().positive();

/** A plain http(s) clone or web URL: no credentials, query or fragment (the update checks it names the served GitHub). */
const plainUrl = z.string().max(1000).regex(/^https?:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?\/[A-Za-z0-9._~/-]*$/);
/** Answers files are a few hundred bytes; a bigger one is read from the repository as before. */
const MAX_CARRIED_ANSWERS = 64 * 1024;

/**
 * What a release's fan-out already read for an update, so that the update does not ask GitHub
 * again: the answers file (used only while the blob at the head the update works on is this one),
 * the repository's clone URL and default branch, and the template repository. Never a token.
 */
const fannedOut = z.object({
  answers: z.object({
    path: z.enum(ANSWERS_FILES),
    text: z.string().max(MAX_CARRIED_ANSWERS),
    blob: z.string().regex(/^[0-9a-f]{40}$/),
  }).refine((answers) => blobId(Buffer.from(answers.text)) === answers.blob, 'the answers text is not the blob it names').optional(),
  repository: z.object({ cloneUrl: plainUrl, defaultBranch: z.string().min(1).max(255).regex(/^(?!-)[^\s\p{Cc}]+$/u) }),
  template: z.object({ ...repoId.shape, cloneUrl: plainUrl, htmlUrl: plainUrl }),
});
export type FannedOut = z.infer<typeof fannedOut>;

/**
 * What of a fan-out's reads a job can carry: all of them, or all but an answers file too big for
 * a record, or nothing when a URL is not one a job accepts (the update then asks GitHub, as before).
 */
export function carriedReads(reads: FannedOut | Omit<FannedOut, 'answers'>): FannedOut | undefined {
  if (fannedOut.safeParse(reads).success) return reads;
  if (!('answers' in reads)) return undefined;
  const rest = { repository: reads.repository, template: reads.template };
  return fannedOut.safeParse(rest).success ? rest : undefined;
}

/** What every job holds: where it works and why. Never a token: the worker mints its own. */
const installationWide = {
  installationId: positive,
  /** A release tag or a command's ref; the latest release when absent. */
  targetRef: z.string().min(1).max(255).optional(),
  reason: z.enum(['release', 'command', 'push', 'installation', 'reconcile', 'merge', 'pull-request', 'created', 'fleet']),
  /** A person asked (`/sync-template`, a ticked box): declines and "already past" do not apply. */
  explicit: z.boolean(),
  /** The GitHub login of the person who asked, when one did. */
  requestedBy: z.string().min(1).max(100).optional(),
};

/** A repository's job: jobs of one repository run one at a time, in every process. */
const common = { ...installationWide, repo: repoId };

/**
 * A queued job is data: a plain record that any process can read back and run. Each kind maps
 * to one workflow (src/app/job-runner.ts); the fields past the common ones are what that
 * workflow needs and the event alone knew.
 */
export const jobSchema = z.discriminatedUnion('kind', [
  /**
   * Bring `repo` in line with its template (at `targetRef`). `template` (owner/repo), when known,
   * separates two templates' updates. `onboardIfNew`: a repository with no answers file gets its
   * onboarding PR instead (one added to an installation may have been made with "Use this template").
   */
  z.object({
    kind: z.literal('update'), ...common, template: z.string().regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/).optional(),
    onboardIfNew: z.boolean().optional(), fannedOut: fannedOut.optional(),
  }),
  /** A repository made with "Use this template": its one onboarding PR. */
  z.object({ kind: z.literal('onboard'), ...common }),
  /**
   * A release (`targetRef`, its tag) of the template `repo`: one update job per repository using
   * it. `wave: 'rest'`: a canary rollout's second wave (the repositories that are not canaries).
   */
  z.object({ kind: z.literal('fan-out-release'), ...common, targetRef: z.string().min(1).max(255), prerelease: z.boolean(), wave: z.literal('rest').optional() }),
  /** A canary's update PR to `targetRef` of `template` was merged in `repo`: the release's second wave may be due. */
  z.object({ kind: z.literal('canary-merged'), ...common, targetRef: z.string().min(1).max(255), template: z.string().min(1).max(500) }),
  /** `/sync-template [targetRef]` by `requestedBy` in a comment: the job answers in the same thread. */
  z.object({
    kind: z.literal('sync-template'), ...common, requestedBy: z.string().min(1).max(100),
    /** `onPullRequest`: the thread is a pull request, which may be the onboarding PR. */
    comment: z.object({ issueNumber: positive, commentId: positive, onPullRequest: z.boolean().optional() }),
  }),
  /** A push to `repo`'s default branch (head `pushedHead`): refresh the open update PR, or apply changed answers. */
  z.object({ kind: z.literal('refresh-after-push'), ...common, pushedHead: z.string().regex(/^[0-9a-f]{40}$/), answersChanged: z.boolean() }),
  /** The update PR was merged at `pull.headSha`: delete its branch, unless someone pushed to it since. */
  z.object({
    kind: z.literal('delete-update-branch'), ...common,
    /** `onboarding`: the merged PR was the onboarding PR (its branch is template-drift/onboarding). */
    pull: z.object({ number: positive, headSha: z.string().regex(/^[0-9a-f]{40}$/), onboarding: z.boolean().optional() }),
  }),
  /** A pull request opened or pushed to (head `pull.headSha`): the `Template drift` check on enforced files. */
  z.object({
    kind: z.literal('check-pull-request'), ...common,
    pull: z.object({ number: positive, headSha: z.string().regex(/^[0-9a-f]{40}$/), headRef: z.string().min(1).max(255), headRepo: z.string().max(201).optional() }),
  }),
  /** The app's update PR to `targetRef` was closed (`merged`, or declined by a person): the fleet inventory hears of it. */
  z.object({
    kind: z.literal('update-closed'), ...common, targetRef: z.string().min(1).max(255),
    pull: z.object({ number: positive, merged: z.boolean(), url: z.string().url().max(2000) }),
  }),
  /**
   * `requestedBy` ticked boxes in the `Template adoption` issue of the template `repo`: re-run the
   * updates of the repositories named (`ticks.repos`), and of every one behind with `allBehind`.
   */
  z.object({
    kind: z.literal('dashboard-ticks'), ...common, requestedBy: z.string().min(1).max(100), issueNumber: positive,
    ticks: z.object({ repos: z.array(z.string().min(1).max(201)).max(10_000), allBehind: z.boolean() }),
  }),
  /** Render the installation's `Template adoption` issues again, after a scan of its fleet when `rescan`. */
  z.object({ kind: z.literal('refresh-dashboard'), ...installationWide, rescan: z.boolean() }),
  /** Scan the installation for repositories behind their template with no update PR and no decline: one update each. */
  z.object({ kind: z.literal('reconcile-installation'), ...installationWide }),
]);

export type Job = z.infer<typeof jobSchema>;
export type JobKind = Job['kind'];

/** A job as read back from a queue: validated, so a worker never runs a record it does not understand. */
export function readJob(data: unknown): Job {
  return jobSchema.parse(data);
}

/** What the queue serializes jobs by: `owner/repo`, or `(installation)` for an installation's own work. */
export function jobRepository(job: Job): string {
  return 'repo' in job ? `${job.repo.owner}/${job.repo.repo}` : INSTALLATION_LINE;
}

/** No repository is named without a slash: the line of an installation's own jobs. */
export const INSTALLATION_LINE = '(installation)';

/** `installation/owner/repo`, lower case: the unit jobs are serialized by. */
export function repositoryKey(job: Job): string {
  return `${job.installationId}/${jobRepository(job)}`.toLowerCase();
}

/**
 * Equal jobs collapse into one while one is queued or running: a redelivered webhook, the same
 * release delivered a hundred times, a reconcile finding a repository a release already queued
 * (an update's reason is not part of it: the same update is the same work). The identity has no
 * `:` (BullMQ's rule for its ids).
 */
export function jobIdentity(job: Job): string {
  const key = repositoryKey(job).replaceAll('/', '~').replace(/[()]/g, '');
  switch (job.kind) {
    case 'update':
      return `${slotOf(job)}~${job.targetRef ?? 'latest'}~${job.explicit ? 'explicit' : 'auto'}`.replaceAll(':', '_');
    case 'onboard':
      return `onboard~${key}`;
    case 'fan-out-release':
      return `release~${key}~${job.targetRef}~${job.wave ?? 'first'}`.replaceAll(':', '_');
    case 'canary-merged':
      return `canary~${key}~${job.targetRef}`.replaceAll(':', '_');
    case 'sync-template':
      return `command~${key}~${job.comment.commentId}`;
    case 'refresh-after-push':
      return `push~${key}~${job.pushedHead}`;
    case 'delete-update-branch':
      return `merged~${key}~${job.pull.number}~${job.pull.headSha}`;
    case 'check-pull-request':
      return `check~${key}~${job.pull.number}~${job.pull.headSha}`;
    case 'update-closed':
      return `closed~${key}~${job.pull.number}~${job.pull.merged ? 'merged' : 'declined'}`;
    case 'dashboard-ticks':
      return `ticks~${key}~${createHash('sha256').update(JSON.stringify([job.issueNumber, job.requestedBy, job.ticks])).digest('hex').slice(0, 32)}`;
    case 'refresh-dashboard':
      return `dashboard~${key}~${job.rescan ? 'rescan' : 'cached'}`;
    case 'reconcile-installation':
      return `reconcile~${key}`;
  }
}

/** An update's slot: its repository and template. A queued update in the slot is superseded by a newer target. */
export function slotOf(job: Extract<Job, { kind: 'update' }>): string {
  return `update~${repositoryKey(job).replaceAll('/', '~')}~${(job.template ?? '').toLowerCase().replace('/', '~')}`;
}

/** Whether `newer` replaces the queued update `older`: same slot, a different target that is not behind it. */
export function supersedes(newer: Job, older: Job): boolean {
  if (newer.kind !== 'update' || older.kind !== 'update' || slotOf(newer) !== slotOf(older)) return false;
  if (newer.targetRef === older.targetRef || newer.explicit !== older.explicit) return false;
  // No target means the latest release, which no tag is past.
  if (newer.targetRef === undefined) return true;
  return older.targetRef !== undefined && isAtOrPast(newer.targetRef, older.targetRef);
}
