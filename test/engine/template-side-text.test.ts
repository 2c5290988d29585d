import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { blobId } from '../../src/engine/blob-id.js';
import type { PlannedChange } from '../../src/engine/plan-update.js';
import { pullRequestBody } from '../../src/engine/pull-request-text.js';
import { TEXT_IN_ALL, TEXT_PER_FILE, templateSideSection } from '../../src/engine/template-side-text.js';
import { git, TestRepo } from '../support/temp-repo.js';
import { BINARY, entry, type EntrySpec } from './file-maps.js';

const exec = promisify(execFile);
const URL = 'https://github.com/acme/tpl';
const kept = (path: string, theirs: EntrySpec | undefined, fields: Partial<PlannedChange> = {}): PlannedChange => ({
  path, policy: 'merge', action: 'keep', templateAction: theirs ? 'update' : 'delete', outcome: 'kept-local', conflict: true,
  reason: 'binary file or symlink changed both here and in the template', ...(theirs !== undefined && { theirs: entry(theirs) }), ...fields,
});

describe('the template\'s side of conflicts kept local, in the PR body', () => {
  it('shows text in a collapsed block that template content cannot break out of', () => {
    const text = 'port=8080\n```\n</details>\n<script>x</script>\n````\n';
    const section = templateSideSection([kept('config/<app>.ini', text)], { templateUrl: URL, targetCommit: 'c'.repeat(40) })!;
    expect(section).toContain('<details><summary>The template\'s version of <code>config/&lt;app&gt;.ini</code></summary>');
    expect(section).toContain(`\`\`\`\`\`\n${text}\`\`\`\`\`\n\n</details>`);
  });

  it('names a binary file by its blob id, with the commands that fetch it from the template at the target commit', () => {
    const section = templateSideSection([kept('assets/logo.png', BINARY)], { templateUrl: URL, targetCommit: 'c'.repeat(40) })!;
    expect(section).toContain(`git blob \`${blobId(BINARY)}\` in the template at \`${'c'.repeat(40)}\``);
    expect(section).toContain(`git fetch ${URL} ${'c'.repeat(40)}\ngit cat-file blob ${blobId(BINARY)} > assets/logo.png\n`);
    expect(section).not.toContain(BINARY.toString('latin1'));
  });

  it('shows a symlink\'s target', () => {
    expect(templateSideSection([kept('current', { content: 'releases/v2', mode: '120000' })], { templateUrl: URL })).toContain('A symlink to ` releases/v2 `.');
  });

  it('bounds the text: each file, and all of them together, pointing to the CLI for the rest', () => {
    const long = 'x'.repeat(TEXT_PER_FILE * 2);
    const files = Array.from({ length: TEXT_IN_ALL / TEXT_PER_FILE + 2 }, (_, i) => kept(`f${i}.txt`, long));
    const section = templateSideSection(files, { templateUrl: URL })!;
    expect(section.length).toBeLessThan(TEXT_IN_ALL + 5_000);
    expect(section).toContain(`Cut at ${TEXT_PER_FILE.toLocaleString('en')} of ${(TEXT_PER_FILE * 2).toLocaleString('en')} characters.`);
    expect(section).toContain('too long for this page');
    expect(section).toContain('`template-drift update`');
    expect(section.match(/<details>/g)).toHaveLength(files.length);
  });

  it('is left out when no conflict kept the local file, or the template deleted it', () => {
    expect(templateSideSection([kept('gone.txt', undefined), kept('m.txt', 'x\n', { outcome: 'conflict-markers', action: 'update' })], { templateUrl: URL })).toBeUndefined();
  });

  it('is part of the body, after the conflicts', () => {
    const body = pullRequestBody({
      templateName: 'tpl', templateUrl: URL, marker: { template: 'acme/tpl', from: 'v1.0.0', to: 'v1.1.0' },
      changes: [kept('logo.png', BINARY)], releaseNotes: [], targetCommit: 'c'.repeat(40),
    });
    expect(body.indexOf('### The template\'s side of conflicts kept local')).toBeGreaterThan(body.indexOf('### Conflicts'));
  });

  it('gives commands that do write the template\'s binary into a checkout', async () => {
    const template = await TestRepo.create();
    const commit = await template.commit({ 'img/logo.png': BINARY });
    const service = await TestRepo.create({ 'img/logo.png': Buffer.from([0, 1, 2]) });
    const section = templateSideSection([kept('img/logo.png', BINARY)], { templateUrl: template.dir, targetCommit: commit })!;
    const [fetch, show] = /```sh\n([\s\S]*?)```/.exec(section)![1]!.trim().split('\n') as [string, string];
    await git(service.dir, ...fetch.split(' ').slice(1));
    const [, target] = show.split(' > ');
    await writeFile(join(service.dir, target!), (await exec('git', show.split(' > ')[0]!.split(' ').slice(1), { cwd: service.dir, encoding: 'buffer' })).stdout);
    expect((await readFile(join(service.dir, 'img/logo.png'))).equals(BINARY)).toBe(true);
  });
});
