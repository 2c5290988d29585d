import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { SharedAnswers } from '../../src/app/shared-answers.js';
import type { AnswersReader } from '../../src/workflows/answers-on-github.js';
import { API, useNock } from '../support/app-harness.js';
import { contentJson, contentsPath } from '../support/github-nock.js';
import { ANSWERS, mockAnswersText, platform } from '../support/fleet-scan-mocks.js';

useNock();

const PAY = { owner: 'acme', repo: 'pay' };
const ORD = { owner: 'acme', repo: 'ord' };
const TEXT = 'template: acme/tpl\nversion: v1.0.0\n';

/** Two readers of one installation at once (a release's fan-out and the start-up reconcile's scan); resolves when `both` has run with the two. */
async function together<T>(shared: SharedAnswers, installation: number, both: (first: AnswersReader, second: AnswersReader) => Promise<T>): Promise<T> {
  return shared.reading(installation, platform(), (first) => shared.reading(installation, platform(), (second) => both(first, second)));
}

describe('answers files shared by the readers of an installation running at once', () => {
  it('a fan-out and a scan at once read each answers file once (a repository with none: its two reads once)', async () => {
    const api = nock(API);
    mockAnswersText(api, 'pay', TEXT);
    mockAnswersText(api, 'ord', undefined);
    const read = await together(new SharedAnswers(), 1, async (fanOut, scan) => [await fanOut(PAY), await fanOut(ORD), await scan(PAY), await scan(ORD)]);
    expect(read).toEqual([{ path: ANSWERS, text: TEXT }, undefined, { path: ANSWERS, text: TEXT }, undefined]);
  });

  it('a reader never takes a read older than itself, nor one of another installation; the last reader\'s end forgets everything', async () => {
    const api = nock(API);
    api.get(contentsPath('acme', 'pay', ANSWERS)).times(4).reply(200, contentJson(ANSWERS, TEXT));
    const shared = new SharedAnswers();
    await shared.reading(1, platform(), async (first) => {
      await first(PAY);
      // Began after that read: reads for itself.
      await shared.reading(1, platform(), (later) => later(PAY));
      await shared.reading(2, platform(), (other) => other(PAY));
    });
    await shared.reading(1, platform(), (next) => next(PAY));
    expect(api.isDone()).toBe(true);
  });

  it('a read that failed for one reader is read again by the other', async () => {
    const api = nock(API);
    api.get(contentsPath('acme', 'pay', ANSWERS)).reply(502, { message: 'Bad Gateway' });
    api.get(contentsPath('acme', 'pay', ANSWERS)).reply(200, contentJson(ANSWERS, TEXT));
    const [failed, read] = await together(new SharedAnswers(), 1, async (fanOut, scan) => {
      const first = fanOut(PAY);
      return [await first.then(() => 'read', () => 'failed'), await scan(PAY)];
    });
    expect(failed).toBe('failed');
    expect(read).toEqual({ path: ANSWERS, text: TEXT });
  });
});
