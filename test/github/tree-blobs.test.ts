import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { TemplateDriftOctokit } from '../../src/app/octokit.js';
import { OctokitPlatform } from '../../src/github/octokit-platform.js';
import { API, useNock } from '../support/app-harness.js';

useNock();

const PAYMENTS = { owner: 'acme', repo: 'payments' };
const TREES = '/repos/acme/payments/git/trees';
const sha = (c: string) => c.repeat(40);

function platform(): OctokitPlatform {
  const octokit = new TemplateDriftOctokit({ auth: { token: 'ghs_test' }, retry: { enabled: false }, throttle: { enabled: false } });
  return new OctokitPlatform({ octokit, createToken: () => Promise.resolve({ token: 'ghs_test', expiresAt: new Date(Date.now() + 3_600_000) }), serializeWrite: (write) => write() });
}

describe('the blob ids of a repository\'s files, from the trees API', () => {
  it('come from one recursive read: files and symlinks at the asked paths; folders and missing paths are absent', async () => {
    nock(API).get(`${TREES}/main`).query({ recursive: '1' }).reply(200, {
      sha: sha('0'), truncated: false, tree: [
        { path: 'Dockerfile', mode: '100644', type: 'blob', sha: sha('1') },
        { path: '.circleci', mode: '040000', type: 'tree', sha: sha('2') },
        { path: '.circleci/config.yml', mode: '100755', type: 'blob', sha: sha('3') },
        { path: 'link', mode: '120000', type: 'blob', sha: sha('4') },
        { path: 'README.md', mode: '100644', type: 'blob', sha: sha('5') },
      ],
    });

    const blobs = await platform().treeBlobs(PAYMENTS, 'main', ['Dockerfile', '.circleci', '.circleci/config.yml', 'link', 'missing.txt']);

    expect(Object.fromEntries(blobs)).toEqual({
      Dockerfile: { sha: sha('1'), mode: '100644' }, '.circleci/config.yml': { sha: sha('3'), mode: '100755' }, link: { sha: sha('4'), mode: '120000' },
    });
  });

  it('walk only the folders on the way to the asked paths when GitHub truncates the recursive answer', async () => {
    const api = nock(API);
    api.get(`${TREES}/main`).query({ recursive: '1' }).reply(200, { sha: sha('0'), truncated: true, tree: [] });
    api.get(`${TREES}/${sha('0')}`).reply(200, { sha: sha('0'), truncated: false, tree: [
      { path: 'Dockerfile', mode: '100644', type: 'blob', sha: sha('1') },
      { path: '.circleci', mode: '040000', type: 'tree', sha: sha('2') },
      { path: 'vendor', mode: '040000', type: 'tree', sha: sha('9') },
    ] });
    api.get(`${TREES}/${sha('2')}`).reply(200, { sha: sha('2'), truncated: false, tree: [{ path: 'config.yml', mode: '100644', type: 'blob', sha: sha('3') }] });

    const blobs = await platform().treeBlobs(PAYMENTS, 'main', ['Dockerfile', '.circleci/config.yml']);

    expect(Object.fromEntries(blobs)).toEqual({ Dockerfile: { sha: sha('1'), mode: '100644' }, '.circleci/config.yml': { sha: sha('3'), mode: '100644' } });
  });

  it('are none for an empty repository (GitHub answers 409)', async () => {
    nock(API).get(`${TREES}/main`).query({ recursive: '1' }).reply(409, { message: 'Git Repository is empty.' });
    expect((await platform().treeBlobs(PAYMENTS, 'main', ['Dockerfile'])).size).toBe(0);
  });

  it('ask nothing when no path is asked', async () => {
    expect((await platform().treeBlobs(PAYMENTS, 'main', [])).size).toBe(0);
  });
});
