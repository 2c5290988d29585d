import type { Platform, RepoId } from '../github/platform.js';

/** Posts `paragraphs` with a hidden `marker` unless a comment on the issue or PR already carries it. */
export async function commentOnce(platform: Platform, repo: RepoId, number: number, marker: string, paragraphs: readonly string[]): Promise<void> {
  const comments = await platform.comments(repo, number);
  if (comments.some((comment) => comment.body.includes(marker))) return;
  await platform.comment(repo, number, [...paragraphs, marker].join('\n\n'));
}
