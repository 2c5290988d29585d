import { describe, expect, it } from 'vitest';
import { answersDigest, parseAnswers } from '../../src/engine/answers-file.js';
import { recordedAnswers } from '../../src/workflows/recorded-answers.js';

const C1 = 'a'.repeat(40);
const C2 = 'b'.repeat(40);
const answers = (commit: string, name: string) => `template: acme/t\nversion: v1\ncommit: ${commit}\nvariables: { service_name: ${name} }\n`;

/** The versions of the answers file, newest first, counting how many were read. */
function history(texts: string[]): { versions: Iterable<string>; read: () => number } {
  let read = 0;
  return {
    versions: (function* () {
      for (const text of texts) {
        read += 1;
        yield text;
      }
    })(),
    read: () => read,
  };
}

describe('the answers recorded with the current commit', () => {
  it('are those of the oldest version in the run that records today\'s commit, and the walk stops at the first other commit', async () => {
    const today = parseAnswers(answers(C2, 'billing'));
    const h = history([answers(C2, 'billing'), answers(C2, 'billing_v0'), answers(C2, 'payments'), answers(C1, 'old'), answers(C1, 'older')]);
    expect(await recordedAnswers(today, h.versions)).toEqual({ variables: { service_name: 'payments' }, fromHistory: true });
    expect(h.read()).toBe(4);
  });

  it('are today\'s when the newest version records another commit (an update not committed yet)', async () => {
    const today = parseAnswers(answers(C2, 'billing'));
    expect(await recordedAnswers(today, history([answers(C1, 'payments')]).versions)).toEqual({ variables: { service_name: 'billing' }, fromHistory: true });
  });

  it('are today\'s, and said to be, when there is no history', async () => {
    const today = parseAnswers(answers(C2, 'billing'));
    expect(await recordedAnswers(today, history([]).versions)).toEqual({ variables: { service_name: 'billing' }, fromHistory: false });
  });

  it('are those an update applied at the same commit (its `applied` digest still matches), not the older ones', async () => {
    const applied = (name: string) => `${answers(C2, name)}applied: ${answersDigest({ service_name: 'billing' })}\n`;
    // Today as the update wrote it: its own variables.
    expect(await recordedAnswers(parseAnswers(applied('billing')), history([answers(C2, 'payments')]).versions))
      .toEqual({ variables: { service_name: 'billing' }, fromHistory: true });
    // A person edited the variables since: the walk goes back to the update's version and stops there.
    const h = history([applied('edited'), applied('billing'), answers(C2, 'payments')]);
    expect(await recordedAnswers(parseAnswers(applied('edited')), h.versions)).toEqual({ variables: { service_name: 'billing' }, fromHistory: true });
    expect(h.read()).toBe(2);
  });

  it('end at a version nobody can read', async () => {
    const today = parseAnswers(answers(C2, 'billing'));
    const h = history([answers(C2, 'mid'), 'template: [unclosed', answers(C2, 'payments')]);
    expect(await recordedAnswers(today, h.versions)).toEqual({ variables: { service_name: 'mid' }, fromHistory: true });
    expect(h.read()).toBe(2);
  });
});
