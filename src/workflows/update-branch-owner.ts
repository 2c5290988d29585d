import type { BranchCommit } from '../github/platform.js';

/**
 * Whether the update branch's head is the app's own commit, the only kind the app may replace
 * (force-push) or delete. The strong test is the commit id the app recorded in its PR's hidden
 * marker when it pushed: no one can make another commit with that id. The committer e-mail and
 * the `Template-Drift-Update:` (or `-Onboarding:`) trailer can be copied by anyone who pushes, so they decide only
 * where there is no record (a PR written before the app recorded its commit, or no PR yet).
 * Anyone who can push to the branch can also delete it, so this guards people's work against
 * the app, not the branch against its writers.
 */
export function isAppHead(head: BranchCommit, recorded: string | undefined, appEmail: string): boolean {
  if (recorded !== undefined) return head.sha === recorded;
  return head.committerEmail.toLowerCase() === appEmail.toLowerCase() && /^Template-Drift-(Update|Onboarding): /m.test(head.message);
}
