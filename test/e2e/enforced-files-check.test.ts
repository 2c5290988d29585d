import { describe, expect, it } from 'vitest';
import { ENFORCED_MESSAGE } from '../../src/engine/enforced-files-check.js';
import { OWNER } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';

const world = useWorld();

describe('the Template drift check, end to end', () => {
  it('a person\'s PR that edits enforced files gets a neutral check run naming them; one that edits other files gets none', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-guard', TEMPLATE_V1);
    await w.createService('guarded', 'tpl-guard', { ref: 'v1.0.0', vars: { service_name: 'guarded' } });

    await github.commit(OWNER, 'guarded', 'tune-ci', {
      'Dockerfile': 'FROM python:3.13-slim\n', '.circleci/config.yml': 'version: 2.1\n', 'Makefile': 'test:\n\tpytest -q\n',
    });
    const editsEnforced = github.openPull(OWNER, 'guarded', { head: 'tune-ci', title: 'Tune CI' });
    await github.deliverPull(OWNER, 'guarded', editsEnforced, 'opened');
    await github.commit(OWNER, 'guarded', 'docs', { 'Makefile': 'test:\n\tpytest -x\n', 'guarded/notes.md': 'notes\n' });
    const editsOthers = github.openPull(OWNER, 'guarded', { head: 'docs', title: 'Docs' });
    await github.deliverPull(OWNER, 'guarded', editsOthers, 'opened');
    await w.settle();

    const runs = github.checkRuns(OWNER, 'guarded');
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run).toMatchObject({ name: 'Template drift', status: 'completed', conclusion: 'neutral', headSha: (await github.branches(OWNER, 'guarded')).get('tune-ci') });
    expect(run!.annotations.map((a) => a.path).sort()).toEqual(['.circleci/config.yml', 'Dockerfile']);
    expect(run!.annotations.every((a) => a.message === ENFORCED_MESSAGE)).toBe(true);
    expect(run!.summary).toContain('tpl-guard');

    // A push to the PR is checked again, on its new head.
    await github.commit(OWNER, 'guarded', 'tune-ci', { 'logging.yml': 'version: 1\n' }, { deliver: true });
    await w.settle();
    const [, again] = github.checkRuns(OWNER, 'guarded');
    expect(again?.headSha).toBe((await github.branches(OWNER, 'guarded')).get('tune-ci'));
    expect(again!.annotations.map((a) => a.path).sort()).toEqual(['.circleci/config.yml', 'Dockerfile', 'logging.yml']);
  });

  it('the app\'s own update PR, which changes enforced files, gets no check run', async () => {
    const w = world();
    const pull = await w.serviceWithUpdatePull('tpl-guard-own', 'guard-own', { v1: TEMPLATE_V1, v1_1: TEMPLATE_V1_1 });
    await w.settle();
    expect(await w.github.readFile(OWNER, 'guard-own', pull.headRef, '.circleci/config.yml')).toContain('restore_cache');
    expect(w.github.checkRuns(OWNER, 'guard-own')).toEqual([]);
    expect(w.github.deliveries().some((d) => d.event === 'pull_request' && d.action === 'opened')).toBe(true);
  });
});
