import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/engine/unified-diff.js';
import { BINARY, entry } from './file-maps.js';

describe('the unified diff of one path', () => {
  it('shows changed lines with a/ b/ headers and hunks, like git diff', () => {
    const patch = unifiedDiff('app/settings.py', entry('a\nb\nc\n'), entry('a\nB\nc\n'));
    expect(patch).toBe(
      'diff --git a/app/settings.py b/app/settings.py\n--- a/app/settings.py\n+++ b/app/settings.py\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n',
    );
  });

  it('shows a new file against /dev/null with its mode', () => {
    const patch = unifiedDiff('run.sh', undefined, entry({ content: '#!/bin/sh\n', mode: '100755' }));
    expect(patch).toContain('diff --git a/run.sh b/run.sh\nnew file mode 100755\n--- /dev/null\n+++ b/run.sh\n');
    expect(patch).toContain('+#!/bin/sh');
  });

  it('shows a deleted file against /dev/null', () => {
    const patch = unifiedDiff('old.txt', entry('bye\n'), undefined);
    expect(patch).toContain('deleted file mode 100644\n--- a/old.txt\n+++ /dev/null\n');
    expect(patch).toContain('-bye');
  });

  it('shows a mode change with no content change as mode lines only', () => {
    expect(unifiedDiff('x.sh', entry('x\n'), entry({ content: 'x\n', mode: '100755' }))).toBe('diff --git a/x.sh b/x.sh\nold mode 100644\nnew mode 100755\n');
  });

  it('says binary files differ instead of printing bytes', () => {
    const patch = unifiedDiff('logo.png', entry(BINARY), entry(Buffer.concat([BINARY, Buffer.from([1])])));
    expect(patch).toBe('diff --git a/logo.png b/logo.png\nBinary files a/logo.png and b/logo.png differ\n');
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('f', entry('a\n'), entry('a\nb'))).toContain('+b\n\\ No newline at end of file');
  });
});
