import { describe, expect, it } from 'vitest';
import { commentId, commentPayload, mockComment, mockGitHub, mockPermission, sentBodies, startApp, useGitHub } from '../support/github-mocks.js';

useGitHub();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
const SECONDARY_LIMIT = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
};

describe('GitHub rate limits', () => {
  it('a secondary rate limit (403 with retry-after) on a write is waited out and the write retried', async () => {
    const payload = commentPayload(PAYMENTS, '/sync-template', { issue: 1 });
    const reactions = `/repos/acme/payments/issues/comments/${commentId(payload)}/reactions`;
    const api = mockGitHub();
    api.post(reactions).reply(403, SECONDARY_LIMIT, { 'retry-after': '1' });
    api.post(reactions).reply(201, { id: 1, content: 'eyes' });
    mockPermission(api, PAYMENTS, 'Codertocat', 'read');
    mockComment(api, PAYMENTS, 1);

    const app = await startApp({ throttle: true });
    const started = Date.now();
    await app.receive('issue_comment', payload);

    expect(sentBodies('POST', reactions)).toEqual([{ content: 'eyes' }, { content: 'eyes' }]);
    expect(sentBodies('POST', '/repos/acme/payments/issues/1/comments')).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});
