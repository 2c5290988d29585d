import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { TestRepo } from '../support/temp-repo.js';
import { cli, cliContext, expectCleanFailure, initService, read } from './cli-fixtures.js';

describe('the template cache', () => {
  it('serves a template commit seen before with no fetch at all, even once the template is gone', async () => {
    const template = await TestRepo.create({}, 'td-cached-template-');
    const v1 = await template.release('v1.0.0', { 'template.yml': 'name: cached\n', 'a.txt': 'v1\n' });
    const v2 = await template.release('v2.0.0', { 'a.txt': 'v2\n' });
    const context = await cliContext();
    const service = await initService(context, template.dir, 'svc', '--ref', v1);

    const first = await cli(context, 'check', service);
    expect(first.code).toBe(1);
    await rm(template.dir, { recursive: true, force: true });

    // A full SHA needs no ls-remote, and its objects are in the cache: nothing to ask the template.
    const again = await cli(context, 'check', service, '--to', v1);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/In line with cached/);

    const update = await cli(context, 'update', service, '--to', v2);
    expect(update).toMatchObject({ code: 0, stderr: '' });
    expect(await read(service, 'a.txt')).toBe('v2\n');
    expect(parseAnswers(await read(service, '.github/template-drift.yml'))).toMatchObject({ version: v2, commit: v2 });
  });

  it('still needs the template to learn its latest release', async () => {
    const template = await TestRepo.create({}, 'td-cached-template-');
    await template.release('v1.0.0', { 'template.yml': 'name: cached\n' });
    const context = await cliContext();
    const service = await initService(context, template.dir, 'svc');
    await rm(template.dir, { recursive: true, force: true });
    expectCleanFailure(await cli(context, 'check', service), /^template-drift: Cannot read template .*does not appear to be a git repository/);
  });
});
