import { parseSyncCommand } from '../engine/sync-command.js';
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
  readonly body: string;
}

export interface CommandDependencies {
  readonly platform: Platform;
  /** Queues the explicit update and resolves with its outcome once it has run. */
  readonly updateLater: (repo: RepoId, ref: string | undefined) => Promise<UpdateOutcome>;
  /** Renders the onboarding PR `number` again with its branch's answers (queued); not-applicable when it is no such PR. */
  readonly onboardLater?: (repo: RepoId, number: number) => Promise<OnboardingOutcome>;
}

/** The permissions that may run updates: `/sync-template` and the dashboard's boxes. */
export const WRITERS: ReadonlySet<string> = new Set(['admin', 'maintain', 'write']);

/**
 * `/sync-template [REF]` in a comment.
 * 1. find the command (none: not for us);
 * 2. acknowledge at once with a reaction;
 * 3. only people with write, maintain or admin on the repository may run it;
 * 4. check the ref, queue the update, and answer with its outcome in plain words.
 */
export async function handleCommand(comment: CommandComment, deps: CommandDependencies): Promise<void> {
  const { platform } = deps;
  const command = parseSyncCommand(comment.body);
  if (!command) return;
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
  if (command.ref !== undefined) {
    try {
      assertRefLike(command.ref, 'Ref');
    } catch (error) {
      if (!isUserError(error)) throw error;
      await platform.comment(comment.repo, comment.issueNumber, `@${comment.author} ${error.message}; nothing was run.`);
      return;
    }
  }
  // The person waits for an answer: a job that threw (an unreachable clone, a GitHub error)
  // still gets one. Its own failure is already logged by the queue.
  const outcome = await deps.updateLater(comment.repo, command.ref).catch((error: unknown): UpdateOutcome => ({
    kind: 'failed',
    message: isUserError(error) ? error.message : 'an unexpected error; the app\'s log has the details',
  }));
  // No answers file on the default branch yet: on the onboarding PR, the command renders it again.
  const onboarding = outcome.kind === 'not-configured' && deps.onboardLater
    ? await deps.onboardLater(comment.repo, comment.issueNumber).catch((error: unknown): OnboardingOutcome => ({
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
