import { ANSWERS_FILE, parseAnswers, updateAnswersText, type Answers, type AnswersUpdate } from './answers-file.js';
import { CRUFT_FILE, parseCruftState, updateCruftText } from './cruft-file.js';
import type { AnswerValue } from './template-manifest.js';

/**
 * Where a repository records its template and answers, in the order they are looked for: the
 * native answers file, then cruft's `.cruft.json` (read and written as cruft does, so cruft keeps
 * working on the repository). Where both are present the native one wins.
 */
export const ANSWERS_FILES = [ANSWERS_FILE, CRUFT_FILE] as const;

export type AnswersFile = (typeof ANSWERS_FILES)[number];

export function isAnswersFile(path: string): path is AnswersFile {
  return (ANSWERS_FILES as readonly string[]).includes(path);
}

/** The answers file at `path`, read in its own format. */
export function parseAnswersFile(path: AnswersFile, text: string): Answers {
  return path === CRUFT_FILE ? parseCruftState(text) : parseAnswers(text);
}

export interface AnswersRewrite extends AnswersUpdate {
  /** Every variable at the new version as the template computed it (cruft records them all). */
  readonly variables: Readonly<Record<string, AnswerValue>>;
}

/** The answers file after an update, in its own format. */
export function rewriteAnswersFile(path: AnswersFile, text: string, update: AnswersRewrite): string {
  if (path === CRUFT_FILE) return updateCruftText(text, { commit: update.commit, variables: update.variables });
  return updateAnswersText(text, update);
}
