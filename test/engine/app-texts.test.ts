import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { blobId } from '../../src/engine/blob-id.js';
import type { PlannedChange } from '../../src/engine/plan-update.js';
import { changeStatus, commitMessage, pullRequestBody, pullRequestTitle } from '../../src/engine/pull-request-text.js';
import { parseSyncCommand } from '../../src/engine/sync-command.js';
import { sameTemplate, templateKey } from '../../src/engine/template-identity.js';
import { formatMarker, readMarker } from '../../src/engine/update-marker.js';

describe('the /sync-template command in comment text', () => {
  it.each([
    ['/sync-template', {}],
    ['/sync-template v1.2.0', { ref: 'v1.2.0' }],
    ['Thanks!\r\n/sync-template release/2026\r\n', { ref: 'release/2026' }],
    ['  /sync-template', undefined],
    ['please run /sync-template', undefined],
    ['/sync-template v1 v2', undefined],
    ['/sync-templates', undefined],
    ['', undefined],
  ])('%j → %j', (body, expected) => {
    expect(parseSyncCommand(body)).toEqual(expected);
  });
});

describe('template identity', () => {
  it('names one repository the same way whatever form the answers file uses', () => {
    for (const form of ['acme/Service-Template', 'https://github.com/acme/service-template.git', 'git@github.com:ACME/service-template', 'https://ghe.example.com/acme/service-template/']) {
      expect(templateKey(form)).toBe('acme/service-template');
    }
    expect(sameTemplate('acme/service-template', 'https://github.com/acme/other.git')).toBe(false);
    expect(templateKey('./local-folder')).toBeUndefined();
  });
});

describe('the hidden update marker', () => {
  it('round-trips through a PR body, and cannot be closed early by a crafted ref', () => {
    const marker = { template: 'https://github.com/acme/t.git', from: 'v1.0.0', to: 'v2.0.0--> <script>' };
    const body = `Some text\n\n${formatMarker(marker)}\n`;
    expect(body.indexOf('-->')).toBe(body.lastIndexOf('-->'));
    expect(readMarker(body)).toEqual(marker);
    expect(readMarker('no marker here')).toBeUndefined();
    expect(readMarker('<!-- template-drift-update {not json} -->')).toBeUndefined();
  });

  it('records the commit the app pushed; anything but a commit id there reads as no record', () => {
    const head = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    const marker = { template: 'acme/t', from: 'v1.0.0', to: 'v1.1.0', head };
    expect(readMarker(formatMarker(marker))).toEqual(marker);
    expect(readMarker(formatMarker({ ...marker, head: 'main' }))).toEqual({ template: 'acme/t', from: 'v1.0.0', to: 'v1.1.0' });
    expect(readMarker(formatMarker({ template: 'acme/t', from: null, to: 'v1.1.0' }))?.head).toBeUndefined();
  });
});

describe('pull request text', () => {
  const change = (path: string, fields: Partial<PlannedChange>): PlannedChange =>
    ({ path, policy: 'merge', action: 'update', templateAction: 'update', outcome: 'template', conflict: false, reason: 'updated by the template', ...fields });

  it('has the conventional commit message and the contract title', () => {
    expect(commitMessage('django-service-template', 'v1.5.0')).toMatch(/^chore\(template\): update django-service-template to v1\.5\.0\n\nTemplate-Drift-Update: v1\.5\.0$/);
    expect(pullRequestTitle('django-service-template', 'v1.5.0')).toBe('Update django-service-template to v1.5.0');
  });

  it('lists every file with its status, explains conflicts, and carries the notes and the marker', () => {
    const changes = [
      change('a|b.txt', { action: 'add', outcome: 'template' }),
      change('Makefile', { outcome: 'conflict-markers', conflict: true, reason: 'changed both here and in the template: conflict markers written' }),
      change('old.cfg', { action: 'delete' }),
      change('app/views.py', { action: 'keep', outcome: 'kept-local', policy: 'scaffold' }),
    ];
    expect(changes.map(changeStatus)).toEqual(['added', 'conflict', 'deleted', 'kept local']);
    const body = pullRequestBody({
      templateName: 'tpl', templateUrl: 'https://github.com/acme/tpl',
      marker: { template: 'acme/tpl', from: 'v1.0.0', to: 'v1.1.0' }, changes,
      releaseNotes: [{ tag: 'v1.1.0', name: 'Faster <CI>', body: 'Cache pip.', url: 'https://github.com/acme/tpl/releases/v1.1.0' }],
    });
    expect(body).toContain('| `a\\|b.txt` | added |');
    expect(body).toContain('### Conflicts');
    expect(body).toContain('- `Makefile`: changed both here and in the template');
    expect(body).toContain('Faster &lt;CI&gt;');
    expect(body).toContain('Cache pip.');
    expect(body).toContain('`/sync-template`');
    expect(readMarker(body)).toEqual({ template: 'acme/tpl', from: 'v1.0.0', to: 'v1.1.0' });
  });
});

describe('blob ids', () => {
  it('are what git hash-object computes', () => {
    for (const content of [Buffer.from('hello\n'), Buffer.alloc(0), Buffer.from([0, 255, 13, 10])]) {
      const git = execFileSync('git', ['hash-object', '--stdin'], { input: content }).toString().trim();
      expect(blobId(content)).toBe(git);
    }
  });
});
