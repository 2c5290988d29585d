import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { git, writeTree, type TestRepo } from '../support/temp-repo.js';
import { SuiteRepo, suiteTempDir } from '../git/suite-repo.js';
import { cli, commitAll, expectCleanFailure, initService, read, sharedCache, treeState, type CliContext } from './cli-fixtures.js';

const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const ANSWERS = '.github/template-drift.yml';
const MANIFEST = 'name: small\nvariables:\n  service_name: { default: svc }\n';

let template: TestRepo;
let v1: string;
let v2: string;
let context: CliContext;
let service: string;

beforeAll(async () => {
  template = await SuiteRepo.create('td-small-template-');
  v1 = await template.release('v1.0.0', { 'template.yml': MANIFEST, 'a.txt': 'v1\n' });
  v2 = await template.release('v2.0.0', { 'a.txt': 'v2\n' });
  context = { cwd: await suiteTempDir('td-cli-work-'), cacheDir: await sharedCache() };
  service = await initService(context, template.dir, 'svc', '--ref', 'v1.0.0');
});

/** A failure under --json: exit 2, the message on stderr for people and as JSON on stdout for scripts. */
function expectJsonError(run: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
  const parsed = JSON.parse(run.stdout) as { error: { message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(parsed.error.message).toMatch(message);
  expect(run.stdout).not.toMatch(/^\s+at /m);
}

describe('--json on error', () => {
  it.each(['check', 'update'])('%s --json prints { error: { message } } on stdout and exits 2', async (command) => {
    expectJsonError(await cli(context, command, service, '--to', 'v9.9.9', '--json'), /has no tag or branch "v9\.9\.9"/);
    expectJsonError(await cli(context, command, context.cwd, '--json'), /has no \.github\/template-drift\.yml/);
    expectJsonError(await cli(context, command, service, '--json', '--no-such-flag'), /unknown option '--no-such-flag'/);
  });

  it('update --json names the dirty files as JSON too, and writes nothing', async () => {
    await writeTree(service, { 'a.txt': 'local work\n' });
    try {
      const before = await treeState(service);
      expectJsonError(await cli(context, 'update', service, '--json'), /uncommitted changes \(a\.txt\)/);
      expect(await treeState(service)).toEqual(before);
    } finally {
      await git(service, 'checkout', '--quiet', '--', 'a.txt');
    }
  });

  it('leaves errors without --json as they were: stderr only', async () => {
    expectCleanFailure(await cli(context, 'check', service, '--to', 'v9.9.9'), /has no tag or branch/);
  });
});

describe('commit SHAs as refs', () => {
  it('take an abbreviated SHA (7 characters or more) and upper case', async () => {
    const short = await cli(context, 'check', service, '--to', v2.slice(0, 7), '--json');
    expect(short.code).toBe(1);
    expect(JSON.parse(short.stdout)).toMatchObject({ to: v2.slice(0, 7), toCommit: v2 });
    const upper = await cli(context, 'check', service, '--to', v2.toUpperCase(), '--json');
    expect(JSON.parse(upper.stdout)).toMatchObject({ to: v2, toCommit: v2 });
    const upperShort = await cli(context, 'check', service, '--to', v1.slice(0, 10).toUpperCase(), '--json');
    // The same commit the service is at: no file changes, only the answers file's `version` would.
    expect(JSON.parse(upperShort.stdout)).toMatchObject({ to: v1.slice(0, 10), toCommit: v1, changes: [] });
  });

  it('record the whole commit when update and init are given a short one', async () => {
    const dir = await initService(context, template.dir, 'short-init', '--ref', v1.slice(0, 8).toUpperCase());
    expect(parseAnswers(await read(dir, ANSWERS))).toMatchObject({ version: v1.slice(0, 8), commit: v1 });
    expect((await cli(context, 'update', dir, '--to', v2.slice(0, 9))).code).toBe(0);
    expect(parseAnswers(await read(dir, ANSWERS))).toMatchObject({ version: v2.slice(0, 9), commit: v2 });
    expect(await read(dir, 'a.txt')).toBe('v2\n');
  });

  it('find a commit the cache has not seen yet, by fetching the template first', async () => {
    const fresh = { ...context, cacheDir: await suiteTempDir('td-cli-cache-') };
    expect((await cli(fresh, 'check', service, '--to', 'v1.0.0')).code).toBe(0);
    await git(template.dir, 'checkout', '--quiet', '-b', 'later');
    const later = await template.commit({ 'a.txt': 'later\n' }, 'on a branch');
    await git(template.dir, 'checkout', '--quiet', 'main');
    const run = await cli(fresh, 'check', service, '--to', later.slice(0, 7), '--json');
    expect(JSON.parse(run.stdout)).toMatchObject({ toCommit: later });
  });

  it('refuse an abbreviation that names no commit, or several, in one message', async () => {
    expectCleanFailure(await cli(context, 'check', service, '--to', '0123abc'), /has no tag, branch or commit "0123abc"/);
    // Two commits of v1.0.0's tree whose ids share their first 7 characters (found once by trying
    // messages; the ids are fixed by the tree, the test identity and the dates).
    const env = { ...process.env, GIT_AUTHOR_DATE: '1700000000 +0000', GIT_COMMITTER_DATE: '1700000000 +0000' };
    const tree = (await git(template.dir, 'rev-parse', `${v1}^{tree}`)).trim();
    for (const [tag, message] of [['twin-a', 'ambiguous 825'], ['twin-b', 'ambiguous 3702']] as const) {
      const sha = (await exec('git', ['commit-tree', '-m', message, tree], { cwd: template.dir, env })).stdout.trim();
      await git(template.dir, 'tag', tag, sha);
    }
    const fresh = { ...context, cacheDir: await suiteTempDir('td-cli-cache-') };
    expectCleanFailure(await cli(fresh, 'check', service, '--to', '7e2e3c4'),
      /"7e2e3c4" is ambiguous in template .*: 2 commits start with it \(7e2e3c4[0-9a-f]{33}, 7e2e3c4[0-9a-f]{33}\); give more of the SHA/);
    const longer = await cli(fresh, 'check', service, '--to', '7e2e3c4f', '--json');
    expect(JSON.parse(longer.stdout)).toMatchObject({ toCommit: '7e2e3c4f7fcd083d7525c383c120cc2253515cfd', upToDate: false });
  });
});

describe('messages name the flag of the command', () => {
  it('--ref for init and render, --to for check, diff and update, when the template has no release', async () => {
    const untagged = await SuiteRepo.create('td-untagged-');
    await untagged.commit({ 'template.yml': MANIFEST, 'a.txt': 'x\n' });
    expectCleanFailure(await cli(context, 'init', 'none', '--template', untagged.dir), /no release tags .*; name a ref with --ref$/m);
    expectCleanFailure(await cli(context, 'render', '--template', untagged.dir, '--out', 'out'), /name a ref with --ref$/m);
    const dir = await initService(context, untagged.dir, 'untagged', '--ref', 'main');
    await commitAll(dir);
    for (const command of ['check', 'diff', 'update']) {
      expectCleanFailure(await cli(context, command, dir), /no release tags .*; name a ref with --to$/m);
    }
  });
});

describe('progress on a terminal', () => {
  const cacheEnv = async () => ({ ...process.env, TEMPLATE_DRIFT_CACHE_DIR: await suiteTempDir('td-cli-cache-'), NO_COLOR: '1' });

  it('says when it lists the template\'s tags and fetches it, on stderr, only on a terminal (a pseudo-terminal here)', async () => {
    const env = await cacheEnv();
    const quoted = [process.execPath, CLI, 'check', service].map((arg) => `'${arg}'`).join(' ');
    // `check` exits 1 here (the service is behind), which execFile reports as a failure: keep its output either way.
    const terminal = await exec('script', ['-qec', quoted, '/dev/null'], { env }).catch((error: { stdout: string; stderr: string }) => error);
    expect(terminal.stdout).toMatch(/Listing the tags of template .*…/);
    expect(terminal.stdout).toMatch(/Fetching template .*…/);
    expect(terminal.stdout).toMatch(/In line with small v2\.0\.0|small v1\.0\.0 → v2\.0\.0/);

    const piped = await exec(process.execPath, [CLI, 'check', service], { env: await cacheEnv() }).catch((error: { stdout: string; stderr: string }) => error);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/small v1\.0\.0 → v2\.0\.0/);
  });
});
