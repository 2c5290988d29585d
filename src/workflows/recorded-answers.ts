import { isAsApplied, parseAnswers, type Answers } from '../engine/answers-file.js';

/** Earlier versions of the answers file read at most: each costs a `git show` or an API call. */
const MAX_VERSIONS = 50;

export interface RecordedAnswers {
  /** The variables as they were when the recorded `commit` was applied: the base is rendered with these. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** False when the answers file had no history to read (not committed yet, a shallow clone): today's answers stand in. */
  readonly fromHistory: boolean;
}

/**
 * The answers an update was made with, found as copier finds them: walking the answers file's
 * versions from the newest back, the oldest of the run that records today's `commit`. A person
 * who edits `variables:` leaves `commit` alone, so the run reaches back to the update itself,
 * and the base is the template as that update rendered it. An update that applied changed
 * answers without changing `commit` (`update --var`) records a digest of them (`applied`): the
 * newest version of the run whose digest still matches is that update, and the walk stops there.
 * `history` yields the file's text at earlier commits, newest first; it is read lazily, and only
 * as far as the run goes. `parse` reads one version (`.cruft.json` has its own format).
 */
export async function recordedAnswers(
  today: Answers,
  history: AsyncIterable<string> | Iterable<string>,
  parse: (text: string) => Answers = parseAnswers,
): Promise<RecordedAnswers> {
  if (isAsApplied(today)) return { variables: today.variables, fromHistory: true };
  const key = recordKey(today);
  let variables = today.variables;
  let read = 0;
  for await (const text of history) {
    let earlier: Answers;
    try {
      earlier = parse(text);
    } catch {
      break; // a version nobody could read: what came after it is the record
    }
    read += 1;
    if (recordKey(earlier) !== key) break;
    variables = earlier.variables;
    if (isAsApplied(earlier) || read >= MAX_VERSIONS) break;
  }
  return { variables, fromHistory: read > 0 };
}

function recordKey(answers: Answers): string {
  return answers.commit ?? answers.version ?? '';
}
