import { chmod, lstat, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import type { CliRun } from '../support/run-cli.js';
import { git, writeTree, type Tree } from '../support/temp-repo.js';
import { suiteTempDir } from '../git/suite-repo.js';
import { cli, commitAll, initService, read, sharedCache, treeState, type CliContext } from './cli-fixtures.js';
import { BINARY_V1, BINARY_V2, CI_V1, CI_V2, CLEAN_EDITS, CONFLICTING_EDITS, createServiceTemplate, type ServiceTemplate } from './service-template.js';

const ANSWERS = '.github/template-drift.yml';

interface JsonReport {
  template: string;
  from: string | null;
  to: string;
  upToDate: boolean;
  changes: { path: string; action: string; mode: string | null; conflict: boolean; templateCopy: string | null }[];
}

let template: ServiceTemplate;
let context: CliContext;

beforeAll(async () => {
  template = await createServiceTemplate();
  context = { cwd: await suiteTempDir('td-cli-work-'), cacheDir: await sharedCache() };
});

/** A service made at v1.0.0 with `edits` committed on top, and the answers file hand-annotated. */
async function serviceAtV1(name: string, edits: Tree): Promise<string> {
  const dir = await initService(context, template.repo.dir, name, '--ref', 'v1.0.0', '--var', 'service_name=pay');
  const answers = await read(dir, ANSWERS);
  await writeTree(dir, { ...edits, [ANSWERS]: `${answers}# kept by every update\nowner_team: billing # who to ask\n` });
  await commitAll(dir, 'local edits');
  return dir;
}

describe('an update without conflicts', () => {
  let service: string;
  let run: CliRun;
  let headBefore: string;
  beforeAll(async () => {
    service = await serviceAtV1('clean', CLEAN_EDITS);
    headBefore = await git(service, 'rev-parse', 'HEAD');
    run = await cli(context, 'update', service);
  });

  it('exits 0, reports the versions, and leaves the changes uncommitted for review', async () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/svc-template v1\.0\.0 → v2\.0\.0/);
    expect(await git(service, 'rev-parse', 'HEAD')).toBe(headBefore);
    expect(await git(service, 'status', '--porcelain')).not.toBe('');
  });

  it('takes template changes, additions and deletions of files the repository did not touch', async () => {
    expect(await read(service, 'untouched.txt')).toBe('same v2\n');
    expect(await read(service, 'new-file.txt')).toBe('new\n');
    await expect(stat(join(service, 'obsolete.txt'))).rejects.toThrow();
    expect((await readFile(join(service, 'logo.bin'))).equals(BINARY_V2)).toBe(true);
  });

  it('keeps local edits of files the template did not change', async () => {
    expect(await read(service, 'local-only.txt')).toBe('x local\n');
  });

  it('merges edits from both sides, keeping CRLF and a missing final newline', async () => {
    expect(await read(service, 'notes.txt')).toBe('A\nb\nc\nd\nE\n');
    expect(await read(service, 'crlf.txt')).toBe('A\r\nb\r\nc\r\nD\r\n');
    expect(await read(service, 'nonl.txt')).toBe('A\nb\nc\nD');
  });

  it('makes enforced files exactly the template, and deletes those the template deleted', async () => {
    expect(await read(service, 'Dockerfile')).toBe('FROM python:3.13\nENV LOG=INFO\nENV REGION=eu-pay\n');
    expect(await read(service, '.github/workflows/ci.yml')).toBe(CI_V2);
    expect(await read(service, 'bin/run.sh')).toBe('#!/bin/sh\necho v2\n');
    expect((await stat(join(service, 'bin/run.sh'))).mode & 0o777).toBe(0o755);
    await expect(lstat(join(service, 'legacy.cfg'))).rejects.toThrow();
  });

  it('adds new scaffold files but never changes existing ones', async () => {
    expect(await read(service, 'pay/new_module.py')).toBe('NEW = True\n');
    expect(await read(service, 'pay/app.py')).toBe('print("custom")\n');
  });

  it('never writes excluded paths', async () => {
    await expect(stat(join(service, 'template-only'))).rejects.toThrow();
  });

  it('records version, commit and the new variable default, keeping other keys and comments', async () => {
    const text = await read(service, ANSWERS);
    expect(parseAnswers(text)).toMatchObject({
      template: template.repo.dir,
      version: 'v2.0.0',
      commit: template.v2,
      variables: { service_name: 'pay', log_level: 'INFO', region: 'eu-pay' },
    });
    expect(text).toContain('# kept by every update');
    expect(text).toContain('owner_team: billing # who to ask');
    expect(text).toContain('# Written by template-drift');
  });

  it('leaves the repository in line with the template once committed', async () => {
    await commitAll(service, 'apply update');
    const check = await cli(context, 'check', service);
    expect(check.stdout).toMatch(/In line with svc-template v2\.0\.0/);
    expect(check.code).toBe(0);
    const again = await cli(context, 'update', service);
    expect(again.code).toBe(0);
    expect(await git(service, 'status', '--porcelain')).toBe('');
  });
});

describe('an update with conflicts', () => {
  let service: string;
  let check: CliRun;
  let run: CliRun;
  beforeAll(async () => {
    service = await serviceAtV1('conflicted', { ...CLEAN_EDITS, ...CONFLICTING_EDITS });
    check = await cli(context, 'check', service, '--json');
    run = await cli(context, 'update', service);
  });

  it('exits 1 and names every conflicted path', () => {
    expect(run.code).toBe(1);
    const named = [...run.stdout.matchAll(/^CONFLICT (\S+):/gm)].map((match) => match[1]).sort();
    expect(named).toEqual(['config.ini', 'edited-upstream.txt', 'logo.bin', 'obsolete-edited.txt']);
  });

  it('is announced by check --json with each conflict and what the template did', () => {
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout) as JsonReport;
    const conflicts = report.changes.filter((change) => change.conflict).map((change) => [change.path, change.action]);
    expect(conflicts).toEqual([
      ['config.ini', 'update'],
      ['edited-upstream.txt', 'update'],
      ['logo.bin', 'update'],
      ['obsolete-edited.txt', 'delete'],
    ]);
  });

  it('writes conflict markers into text both sides changed', async () => {
    expect(await read(service, 'config.ini')).toBe('<<<<<<< repository\nport=9000\n=======\nport=8080\n>>>>>>> template v2.0.0\n');
  });

  it('keeps the local side of conflicts that cannot be written as markers', async () => {
    expect(await read(service, 'obsolete-edited.txt')).toBe('old but edited\n');
    await expect(stat(join(service, 'edited-upstream.txt'))).rejects.toThrow();
    expect((await readFile(join(service, 'logo.bin'))).equals(Buffer.from(CONFLICTING_EDITS['logo.bin'] as Buffer))).toBe(true);
    expect((await readFile(join(service, 'logo.bin'))).equals(BINARY_V1)).toBe(false);
  });

  it('writes the template\'s version beside each conflict that keeps the local file, and says where', async () => {
    expect((await readFile(join(service, 'logo.bin.template'))).equals(BINARY_V2)).toBe(true);
    expect(await read(service, 'edited-upstream.txt.template')).toBe('v2\n');
    await expect(stat(join(service, 'obsolete-edited.txt.template'))).rejects.toThrow();
    await expect(stat(join(service, 'config.ini.template'))).rejects.toThrow();
    expect(run.stdout).toMatch(/^CONFLICT logo\.bin: .*; the template's version is in logo\.bin\.template$/m);
    expect(run.stdout).toMatch(/^CONFLICT edited-upstream\.txt: .*; the template's version is in edited-upstream\.txt\.template$/m);
    const copies = (JSON.parse(check.stdout) as JsonReport).changes.filter((change) => change.templateCopy).map((change) => [change.path, change.templateCopy]);
    expect(copies).toEqual([['edited-upstream.txt', 'edited-upstream.txt.template'], ['logo.bin', 'logo.bin.template']]);
  });

  it('leaves those copies untracked, so the next update waits until they are dealt with', async () => {
    expect(await git(service, 'status', '--porcelain', '--', 'logo.bin.template')).toBe('?? logo.bin.template\n');
    await git(service, 'add', '--all');
    await git(service, 'reset', '--quiet', '--', 'logo.bin.template', 'edited-upstream.txt.template');
    await git(service, 'commit', '--quiet', '-m', 'resolve the conflicts, copies not picked up yet');
    const again = await cli(context, 'update', service);
    expect(again.stderr).toMatch(/uncommitted changes \(edited-upstream\.txt\.template, logo\.bin\.template\)/);
  });

  it('still applies every change that does not conflict', async () => {
    expect(await read(service, 'notes.txt')).toBe('A\nb\nc\nd\nE\n');
    expect(await read(service, 'untouched.txt')).toBe('same v2\n');
    expect(await read(service, 'Dockerfile')).toMatch(/^FROM python:3\.13/);
    expect(parseAnswers(await read(service, ANSWERS)).version).toBe('v2.0.0');
  });
});

describe('the template\'s version of a conflict, when its copy\'s name is taken', () => {
  it('is not written over what is there, and the report says so', async () => {
    const service = await serviceAtV1('copy-taken', { ...CONFLICTING_EDITS, 'logo.bin.template': 'a file of my own\n' });
    const run = await cli(context, 'update', service);
    expect(run.code).toBe(1);
    expect(await read(service, 'logo.bin.template')).toBe('a file of my own\n');
    expect(run.stdout).toMatch(/^CONFLICT logo\.bin: .*; the template's version is not written beside it: logo\.bin\.template already exists$/m);
    expect(await read(service, 'edited-upstream.txt.template')).toBe('v2\n');
  });
});

describe('an update to a chosen version, with --json', () => {
  it('applies only up to --to and prints the report as JSON', async () => {
    const service = await initService(context, template.repo.dir, 'json-svc', '--ref', template.v1, '--var', 'service_name=pay');
    const run = await cli(context, 'update', service, '--to', 'v2.0.0', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report).toMatchObject({ template: template.repo.dir, from: template.v1, to: 'v2.0.0', upToDate: false });
    expect(report.changes).toContainEqual({ path: 'bin/run.sh', action: 'update', mode: '100755', conflict: false, policy: 'enforce', outcome: 'template', reason: expect.any(String) as string, templateCopy: null });
    expect(report.changes.map((change) => change.path)).toContain('pay/new_module.py');
    expect(await read(service, 'untouched.txt')).toBe('same v2\n');
  });
});

describe('paths the repository ignores', () => {
  it('are left alone whatever the template does', async () => {
    const service = await initService(context, template.repo.dir, 'ignoring', '--ref', 'v1.0.0', '--var', 'service_name=pay');
    const answers = await read(service, ANSWERS);
    await writeFile(join(service, ANSWERS), `${answers}ignore: ["notes.txt", ".github/workflows/**", "obsolete.txt"]\n`);
    await commitAll(service, 'ignore');
    const run = await cli(context, 'update', service);
    expect(run.code).toBe(0);
    expect(await read(service, 'notes.txt')).toBe('a\nb\nc\nd\ne\n');
    expect(await read(service, '.github/workflows/ci.yml')).toBe(CI_V1);
    expect(await read(service, 'obsolete.txt')).toBe('old\n');
    expect(await read(service, 'untouched.txt')).toBe('same v2\n');
  });
});

describe('drift from the current version', () => {
  it('is reported by check and repaired by update for enforced files, content and mode', async () => {
    const service = await initService(context, template.repo.dir, 'drifted', '--var', 'service_name=pay');
    const answersBefore = await read(service, ANSWERS);
    await writeTree(service, { '.github/workflows/ci.yml': 'on: never\n', 'notes.txt': 'local notes\n' });
    await chmod(join(service, 'bin/run.sh'), 0o644);
    await commitAll(service, 'drift');

    const check = await cli(context, 'check', service);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/Drifted from svc-template v2\.0\.0/);
    expect(check.stdout).toMatch(/\.github\/workflows\/ci\.yml/);
    expect(check.stdout).toMatch(/bin\/run\.sh/);

    const run = await cli(context, 'update', service);
    expect(run.code).toBe(0);
    expect(await read(service, '.github/workflows/ci.yml')).toBe(CI_V2);
    expect((await stat(join(service, 'bin/run.sh'))).mode & 0o111).not.toBe(0);
    expect(await read(service, 'notes.txt')).toBe('local notes\n');
    expect(await read(service, ANSWERS)).toBe(answersBefore);
    expect(Object.keys(await treeState(service))).not.toContain('template-only/RELEASING.md');
  });
});
