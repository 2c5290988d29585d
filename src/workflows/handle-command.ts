import { isUserError } from '../engine/user-error.js';
import { assertRefLike } from '../git/git-client.js';
import type { Platform, RepoId } from '../github/platform.js';
import type { OnboardingOutcome } from './onboard-repository.js';
import type { UpdateOutcome } from './update-repository.js';

export interface CommandComment {
  readonly repo: RepoId;
  readonly issueNumber: number;
  readonly commentId: number;
  readonly author: string;
  /** The ref the command names (`/sync-template REF`); the latest release when absent. */
  readonly ref: string | undefined;
}

export interface CommandDependencies {
  readonly platform: Platform;
  /** Runs the explicit update (within the command's own job) and resolves with its outcome. */
  readonly updateNow: (repo: RepoId, ref: string | undefined) => Promise<UpdateOutcome>;
  /** Renders the onboarding PR `number` again with its branch's answers; not-applicable when it is no such PR. */
  readonly onboardNow?: (repo: RepoId, number: number) => Promise<OnboardingOutcome>;
}

/** The permissions that may run updates: `/sync-template` and the dashboard's boxes. */
export const WRITERS: ReadonlySet<string> = new Set(['admin', 'maintain', 'write']);

/**
 * `/sync-template [REF]` in a comment (the handler found the command). The whole command is one
 * queued job, so its answer is written by whichever process runs it.
 * 1. acknowledge with a reaction;
 * 2. only people with write, maintain or admin on the repository may run it;
 * 3. check the ref, run the update, and answer with its outcome in plain words.
 */
export async function handleCommand(comment: CommandComment, deps: CommandDependencies): Promise<void> {
  const { platform } = deps;
  await platform.react(comment.repo, comment.commentId, 'eyes');

  // A failed look-up (403: the app lacks the permission, or a limit) refuses, and says so.
  const permission = await platform.permission(comment.repo, comment.author).catch(() => undefined);
  if (permission === undefined) {
    await platform.comment(comment.repo, comment.issueNumber,
      `@${comment.author} could not check your access to this repository with GitHub, so nothing was run; try again later.`);
    return;
  }
  if (!WRITERS.has(permission)) {
    await platform.comment(comment.repo, comment.issueNumber,
      `@${comment.author} \`/sync-template\` needs write access to this repository; nothing was run.`);
    return;
  }
  if (comment.ref !== undefined) {
    try {
      assertRefLike(comment.ref, 'Ref');
    } catch (error) {
      if (!isUserError(error)) throw error;
      await platform.comment(comment.repo, comment.issueNumber, `@${comment.author} ${error.message}; nothing was run.`);
      return;
    }
  }
  // The person waits for an answer: an update that threw (an unreachable clone, a GitHub error)
  // still gets one. `updateNow` logs the failure itself.
  const outcome = await deps.updateNow(comment.repo, comment.ref).catch((error: unknown): UpdateOutcome => ({
    kind: 'failed',
    message: isUserError(error) ? error.message : 'an unexpected error; the app\'s log has the details',
  }));
  // No answers file on the default branch yet: on the onboarding PR, the command renders it again.
  const onboarding = outcome.kind === 'not-configured' && deps.onboardNow
    ? await deps.onboardNow(comment.repo, comment.issueNumber).catch((error: unknown): OnboardingOutcome => ({
      kind: 'failed', message: isUserError(error) ? error.message : 'an unexpected error; the app\'s log has the details',
    }))
    : undefined;
  const reply = onboarding && onboarding.kind !== 'not-applicable' ? describeOnboarding(onboarding) : describeOutcome(outcome);
  await platform.comment(comment.repo, comment.issueNumber, `@${comment.author} ${reply}`);
}

function describeOnboarding(outcome: Exclude<OnboardingOutcome, { kind: 'not-applicable' }>): string {
  switch (outcome.kind) {
    case 'skipped':
      return `nothing was changed: ${outcome.why}.`;
    case 'failed':
      return `the onboarding failed:\n\n> ${outcome.message.replace(/\n/g, '\n> ')}`;
    case 'pull-request':
      return outcome.questions.length > 0
        ? `rendered nothing yet: ${outcome.questions.map((name) => `\`${name}\``).join(', ')} still need${outcome.questions.length === 1 ? 's' : ''} an answer in the answers file on this branch.`
        : `rendered ${outcome.version} again with the answers on this branch: ${outcome.url}`;
  }
}

export function describeOutcome(outcome: UpdateOutcome): string {
  switch (outcome.kind) {
    case 'not-configured':
      return 'this repository has no `.github/template-drift.yml`, so it is not kept in line with a template. Run `template-drift init` to adopt one.';
    case 'in-line':
      return `already in line with ${outcome.version}.`;
    case 'skipped':
      return `nothing was changed: ${outcome.why}.`;
    case 'pull-request':
      return `${outcome.pushed ? 'updated' : 'checked'} the template update to ${outcome.to}: ${outcome.url}` +
        (outcome.conflicts > 0 ? ` (${outcome.conflicts} conflicted file${outcome.conflicts === 1 ? '' : 's'} to resolve).` : '.');
    case 'failed':
      return `the template update failed:\n\n> ${outcome.message.replace(/\n/g, '\n> ')}`;
  }
}
