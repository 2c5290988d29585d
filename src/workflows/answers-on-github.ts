import { ANSWERS_FILES, type AnswersFile } from '../engine/answers-document.js';
import type { Platform, RepoId } from '../github/platform.js';

/** An answers file as read: which of the two it is, and its text. */
export interface AnswersText {
  readonly path: AnswersFile;
  readonly text: string;
}

/** Reads a repository's answers file on its default branch (answersOnGitHub, or a read shared with others). */
export type AnswersReader = (repo: RepoId) => Promise<AnswersText | undefined>;

/** `shared` when given (a read shared with others), else a read of each repository's own through the API. */
export function answersReader(platform: Platform, shared?: AnswersReader): AnswersReader {
  return shared ?? ((repo) => answersOnGitHub(platform, repo));
}

/**
 * A repository's answers file on its default branch (or at `ref`), read through the API (no
 * clone): the native one, else cruft's `.cruft.json`, so repositories that cruft manages are found
 * as they are. One read for a repository with the native file, two for any other.
 */
export async function answersOnGitHub(platform: Platform, repo: RepoId, ref?: string): Promise<AnswersText | undefined> {
  for (const path of ANSWERS_FILES) {
    const text = await platform.fileText(repo, path, ref);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}
