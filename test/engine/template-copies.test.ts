import { describe, expect, it } from 'vitest';
import type { PlannedChange } from '../../src/engine/plan-update.js';
import { templateCopies } from '../../src/engine/template-copies.js';
import { BINARY, entry } from './file-maps.js';

const theirs = entry(BINARY);
const change = (path: string, fields: Partial<PlannedChange>): PlannedChange => ({
  path, policy: 'merge', action: 'keep', templateAction: 'update', outcome: 'kept-local', conflict: true, reason: 'r', ...fields,
});

describe('the template\'s side of conflicts kept local', () => {
  it('goes beside the kept file as <path>.template, with the template\'s bytes and mode', () => {
    const exe = entry({ content: '#!/bin/sh\n', mode: '100755' });
    expect(templateCopies([change('logo.png', { theirs }), change('bin/run', { theirs: exe })])).toEqual([
      { of: 'logo.png', path: 'logo.png.template', entry: theirs },
      { of: 'bin/run', path: 'bin/run.template', entry: exe },
    ]);
  });

  it('is nothing when the template deleted the file, or when nothing conflicts', () => {
    expect(templateCopies([
      change('deleted-upstream.txt', { templateAction: 'delete' }),
      change('scaffold.txt', { conflict: false, policy: 'scaffold', theirs }),
      change('markers.txt', { action: 'update', outcome: 'conflict-markers', after: entry('<<<<<<<\n'), theirs }),
    ])).toEqual([]);
  });

  it('is blocked, never written, where something is already at its path', () => {
    expect(templateCopies([change('logo.png', { theirs })], new Set(['logo.png.template']))).toEqual([
      { of: 'logo.png', path: 'logo.png.template', entry: theirs, blocked: true },
    ]);
  });

  it('gives way to a path the update plans itself', () => {
    expect(templateCopies([change('a.bin', { theirs }), change('a.bin.template', { action: 'update', outcome: 'template', conflict: false, after: entry('x') })])).toEqual([]);
  });
});
