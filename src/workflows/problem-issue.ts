import { ISSUE_TITLE } from '../github/labels.js';
import type { Platform, RepoId } from '../github/platform.js';

/**
 * One issue per repository says what blocks its updates (a bad answers file, an unreachable
 * template, a render error). It is updated rather than duplicated, and closed by the next
 * update that succeeds.
 */
export async function reportProblem(platform: Platform, repo: RepoId, problem: string): Promise<string> {
  const body = [
    'template-drift could not update this repository from its template:',
    '', '```', problem, '```', '',
    'Fix the cause (usually `.github/template-drift.yml`), then comment `/sync-template` on this issue to try again.',
    'This issue closes by itself once an update succeeds.',
  ].join('\n');
  const existing = await platform.findIssue(repo, ISSUE_TITLE);
  if (!existing) return (await platform.createIssue(repo, ISSUE_TITLE, body)).htmlUrl;
  if (existing.state !== 'open' || existing.body !== body) {
    await platform.updateIssue(repo, existing.number, { body, state: 'open' });
  }
  return existing.htmlUrl;
}

export async function resolveProblem(platform: Platform, repo: RepoId): Promise<void> {
  const existing = await platform.findIssue(repo, ISSUE_TITLE);
  if (existing?.state !== 'open') return;
  await platform.comment(repo, existing.number, 'The template update now succeeds; closing.');
  await platform.updateIssue(repo, existing.number, { state: 'closed' });
}
