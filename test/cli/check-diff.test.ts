import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git, writeTree } from '../support/temp-repo.js';
import { suiteTempDir } from '../git/suite-repo.js';
import { cli, commitAll, expectCleanFailure, initService, sharedCache, treeState, type CliContext } from './cli-fixtures.js';
import { CLEAN_EDITS, CONFLICTING_EDITS, createServiceTemplate, type ServiceTemplate } from './service-template.js';

interface JsonReport {
  template: string;
  from: string | null;
  to: string;
  upToDate: boolean;
  changes: { path: string; action: 'add' | 'update' | 'delete'; mode: string | null; conflict: boolean }[];
}

let template: ServiceTemplate;
let context: CliContext;
let behind: string;
let current: string;

beforeAll(async () => {
  template = await createServiceTemplate();
  context = { cwd: await suiteTempDir('td-cli-work-'), cacheDir: await sharedCache() };
  behind = await initService(context, template.repo.dir, 'behind', '--ref', 'v1.0.0', '--var', 'service_name=pay');
  await writeTree(behind, { ...CLEAN_EDITS, ...CONFLICTING_EDITS });
  await commitAll(behind, 'local edits');
  current = await initService(context, template.repo.dir, 'current', '--var', 'service_name=pay');
});

describe('check', () => {
  it('exits 0 and says so when an update would change nothing', async () => {
    const run = await cli(context, 'check', current);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/In line with svc-template v2\.0\.0/);
  });

  it('checks the current folder by default', async () => {
    expect((await cli({ ...context, cwd: current }, 'check')).code).toBe(0);
    expect((await cli({ ...context, cwd: behind }, 'check')).code).toBe(1);
  });

  it('exits 1 when the repository is behind the latest release, listing the changes', async () => {
    const run = await cli(context, 'check', behind);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/svc-template v1\.0\.0 → v2\.0\.0/);
    expect(run.stdout).toMatch(/conflict\s+config\.ini/);
    expect(run.stdout).toMatch(/add\s+new-file\.txt/);
    expect(run.stdout).toMatch(/delete\s+obsolete\.txt/);
  });

  it('prints a JSON report with ref names and every change', async () => {
    const run = await cli(context, 'check', behind, '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report).toMatchObject({ template: template.repo.dir, from: 'v1.0.0', to: 'v2.0.0', upToDate: false });
    const byPath = new Map(report.changes.map((change) => [change.path, change]));
    expect(byPath.get('new-file.txt')).toMatchObject({ action: 'add', mode: '100644', conflict: false });
    expect(byPath.get('obsolete.txt')).toMatchObject({ action: 'delete', conflict: false });
    expect(byPath.get('notes.txt')).toMatchObject({ action: 'update', conflict: false });
    expect(byPath.get('bin/run.sh')).toMatchObject({ action: 'update', mode: '100755', conflict: false });
    expect(byPath.get('config.ini')).toMatchObject({ action: 'update', conflict: true });
    expect(byPath.get('obsolete-edited.txt')).toMatchObject({ action: 'delete', conflict: true });
    expect(byPath.has('local-only.txt')).toBe(false);
    expect(byPath.has('pay/app.py')).toBe(false);
    expect([...byPath.keys()].some((path) => path.startsWith('template-only/'))).toBe(false);
  });

  it('refuses --to an older version than the recorded one: a downgrade, exit 2', async () => {
    expectCleanFailure(await cli(context, 'check', current, '--to', 'v1.0.0'), /v1\.0\.0 is older than v2\.0\.0, the version this repository records: .*downgrade.*--allow-downgrade/);
  });

  it('compares with an older version given by --to with --allow-downgrade', async () => {
    const run = await cli(context, 'check', current, '--to', 'v1.0.0', '--allow-downgrade', '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report).toMatchObject({ from: 'v2.0.0', to: 'v1.0.0', upToDate: false });
    expect(report.changes).toContainEqual(expect.objectContaining({ path: 'new-file.txt', action: 'delete' }));
  });

  it('reports up to date in JSON with no changes', async () => {
    const report = JSON.parse((await cli(context, 'check', current, '--json')).stdout) as JsonReport;
    expect(report).toMatchObject({ from: 'v2.0.0', to: 'v2.0.0', upToDate: true, changes: [] });
  });

  it('exits 1 when only the answers file would change (same files, newer version)', async () => {
    await template.repo.release('v2.0.1', {});
    try {
      const run = await cli(context, 'check', current, '--json');
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ to: 'v2.0.1', upToDate: false, changes: [] });
    } finally {
      await git(template.repo.dir, 'tag', '-d', 'v2.0.1');
    }
  });

  it('writes nothing', async () => {
    const before = await treeState(behind);
    await cli(context, 'check', behind);
    expect(await treeState(behind)).toEqual(before);
    expect(await git(behind, 'status', '--porcelain')).toBe('');
  });

  it('exits 2 with one message for a folder made without template-drift', async () => {
    expectCleanFailure(await cli(context, 'check', context.cwd), /has no \.github\/template-drift\.yml, and neither has any folder above it; run `template-drift init`/);
  });
});

describe('diff', () => {
  it('prints the patch update would apply, answers file included, exits 1, and writes nothing', async () => {
    const before = await treeState(behind);
    const run = await cli(context, 'diff', behind);
    expect(run).toMatchObject({ code: 1, stderr: '' });
    expect(run.stdout).toMatch(/diff --git a\/untouched\.txt b\/untouched\.txt\nindex \w+\.\.\w+ 100644\n--- a\/untouched\.txt\n\+\+\+ b\/untouched\.txt\n@@ -1 \+1 @@\n-same\n\+same v2\n/);
    expect(run.stdout).toMatch(/diff --git a\/new-file\.txt b\/new-file\.txt\nnew file mode 100644\nindex 0+\.\.\w+\n--- \/dev\/null\n\+\+\+ b\/new-file\.txt\n/);
    expect(run.stdout).toContain('diff --git a/obsolete.txt b/obsolete.txt\ndeleted file mode 100644\n');
    expect(run.stdout).toContain('-FROM python:3.12\n+FROM python:3.13\n ENV LOG=INFO\n-RUN local-tweak\n+ENV REGION=eu-pay\n');
    expect(run.stdout).toContain('+<<<<<<< repository\n');
    expect(run.stdout).toMatch(/diff --git a\/\.github\/template-drift\.yml[\s\S]*-version: v1\.0\.0\n-commit: \w+\n\+version: v2\.0\.0\n\+commit: \w+\n/);
    expect(run.stdout).toMatch(/diff --git a\/logo\.bin\.template b\/logo\.bin\.template\nnew file mode 100644\nindex 0+\.\.\w{40}\nGIT binary patch\n/);
    expect(run.stdout).not.toContain('local-only.txt');
    expect(await treeState(behind)).toEqual(before);
  });

  it('prints nothing and exits 0 when the repository is in line', async () => {
    expect(await cli(context, 'diff', current)).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('diffs against an older version given by --to only with --allow-downgrade', async () => {
    expectCleanFailure(await cli(context, 'diff', current, '--to', 'v1.0.0'), /downgrade/);
    const run = await cli(context, 'diff', current, '--to', 'v1.0.0', '--allow-downgrade');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/-version: v2\.0\.0\n-commit: \w+\n\+version: v1\.0\.0\n/);
    expect(run.stdout).toContain('diff --git a/untouched.txt b/untouched.txt');
  });

  it('applies with git apply to a pristine copy and gives exactly what update writes, conflicts included', async () => {
    const patched = await pristineCopy(behind, 'patched');
    const updated = await pristineCopy(behind, 'updated');
    const patchFile = join(context.cwd, 'behind.patch');
    await writeFile(patchFile, (await cli(context, 'diff', behind)).stdoutBytes);
    await git(patched, 'apply', patchFile);
    expect((await cli(context, 'update', updated)).code).toBe(1);
    expect(await treeState(patched)).toEqual(await treeState(updated));
    expect(await treeState(patched)).not.toEqual(await treeState(behind));
  });
});

/** A clone of a service's committed state, beside it, for a second update to run on. */
async function pristineCopy(service: string, name: string): Promise<string> {
  const dir = join(context.cwd, name);
  await git(context.cwd, 'clone', '--quiet', '--', service, dir);
  return dir;
}
