import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitLogShim } from '../support/git-log-shim.js';
import { git, tempDir } from '../support/temp-repo.js';
import { SuiteRepo, suiteTempDir } from '../git/suite-repo.js';
import { cli, cliContext, commitAll, initService, type CliContext } from './cli-fixtures.js';

/**
 * Which git processes an update runs, seen through a `git` on PATH that writes its arguments
 * to a log and runs the real git: the commands whose answer is already known are gone.
 */
const exec = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const MANIFEST = 'name: counted\nvariables:\n  service_name: { default: svc }\n';

let template: string;
let shim: Awaited<ReturnType<typeof gitLogShim>>;

beforeAll(async () => {
  const repo = await SuiteRepo.create('td-counted-template-');
  await repo.release('v1.0.0', { 'template.yml': MANIFEST, 'a.txt.hbs': 'one {{service_name}}\nline 2\nline 3\n', 'b.txt': 'b1\n', 'c.txt': 'c\n' });
  await repo.release('v2.0.0', { 'a.txt.hbs': 'one {{service_name}}\nline 2\nline 3 (v2)\n', 'b.txt': 'b2\n' });
  template = repo.dir;
  shim = await gitLogShim(suiteTempDir);
  shim.install();
});

beforeEach(() => shim.reset());

function commands(): Promise<string[]> {
  return shim.commands();
}

async function serviceWithLocalEdit(context: CliContext): Promise<string> {
  const service = await initService(context, template, 'svc', '--ref', 'v1.0.0');
  await writeFile(join(service, 'a.txt'), 'one svc (edited here)\nline 2\nline 3\n');
  await commitAll(service, 'local edit');
  return service;
}

describe('the git processes of an update', () => {
  it('asks git nothing it already knows: no check-ref-format, no cat-file -t, one cat-file --batch per version', async () => {
    const context = await cliContext();
    const service = await serviceWithLocalEdit(context);
    await shim.reset();
    const run = await cli(context, 'update', service);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await readFile(join(service, 'a.txt'), 'utf8')).toBe('one svc (edited here)\nline 2\nline 3 (v2)\n');
    const ran = await commands();
    expect(ran.filter((command) => command.startsWith('check-ref-format'))).toEqual([]);
    expect(ran.filter((command) => command.startsWith('cat-file -t'))).toEqual([]);
    expect(ran.filter((command) => command.startsWith('show --no-textconv'))).toEqual([]);
    expect(ran.filter((command) => command === 'cat-file --batch')).toHaveLength(2);
    expect(ran.filter((command) => command.startsWith('rev-parse --show-toplevel'))).toHaveLength(1);
    expect(ran.filter((command) => command.startsWith('merge-file -p'))).toHaveLength(1);
    expect(ran.filter((command) => command.startsWith('ls-remote'))).toHaveLength(1);
    // One status answers both the dirty check and which of the template's paths git ignores.
    expect(ran.filter((command) => command.startsWith('status'))).toEqual(['status --porcelain --branch -z --untracked-files=all --ignored=matching -- .']);
  });

  it('fetches nothing for a working tree with uncommitted changes: the dirty check comes first', async () => {
    const context = await cliContext();
    const service = await serviceWithLocalEdit(context);
    await writeFile(join(service, 'a.txt'), 'not committed\n');
    await shim.reset();
    // The built CLI as its own process, which ends only once every git it started has: the log is whole.
    const env = { ...process.env, TEMPLATE_DRIFT_CACHE_DIR: await tempDir('td-cold-cache-') };
    const failed = await exec(process.execPath, [MAIN, 'update', service], { cwd: context.cwd, env }).then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/uncommitted changes \(a\.txt\)/);
    expect(await commands()).toContain(`ls-remote --tags --heads -- ${template}`);
    expect((await commands()).filter((command) => /(^| )fetch /.test(command))).toEqual([]);
  });

  it('fetches a template whose two versions are both missing from the cache once, not once per version', async () => {
    const context = await cliContext();
    const service = await serviceWithLocalEdit(context);
    const fresh = { ...context, cacheDir: await tempDir('td-cold-cache-') };
    await shim.reset();
    const run = await cli(fresh, 'update', service);
    expect(run.code).toBe(0);
    expect((await commands()).filter((command) => /(^| )fetch /.test(command))).toHaveLength(1);
    expect(await git(service, 'status', '--porcelain')).toContain('a.txt');
  });

  it('still asks git whether a ref the template does not list is a valid name, and refuses it in one message', async () => {
    const context = await cliContext();
    const service = await serviceWithLocalEdit(context);
    await shim.reset();
    const run = await cli(context, 'check', service, '--to', 'no/such.lock');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not a valid git ref name/);
    expect((await commands()).filter((command) => command.startsWith('check-ref-format'))).toHaveLength(1);
  });
});

afterAll(() => shim.restore());
