import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/cli/bundle-loader.js';
import { tempDir, TestRepo } from '../support/temp-repo.js';
import { fixtureTree } from '../engine/cookiecutter/fixture-files.js';
import { SuiteRepo, suiteTempDir } from '../git/suite-repo.js';
import { cli, initService, sharedCache, type CliContext } from './cli-fixtures.js';

const exec = promisify(execFile);
const BUILT = fileURLToPath(new URL('../../dist/cli/', import.meta.url));
/** What `dist/cli/main.js` needs at run time: itself, its loader, the bundle, the render process's script and minijinja's WebAssembly (no node_modules). */
const SHIPPED = ['main.js', 'bundle-loader.js', 'cache-dir.js', 'template-drift.cjs', 'render-child.cjs', 'minijinja_js_bg.wasm'];

let context: CliContext;
let service: string;
/** A copy of the built CLI where no node_modules folder is found above it. */
let installed: string;

beforeAll(async () => {
  const template = await SuiteRepo.create('td-bundle-template-');
  await template.release('v1.0.0', { 'template.yml': 'name: bundled\nvariables:\n  service_name: { default: svc }\n', 'a.txt.hbs': '{{service_name}} v1\n' });
  await template.release('v2.0.0', { 'a.txt.hbs': '{{service_name}} v2\n' });
  context = { cwd: await suiteTempDir('td-cli-work-'), cacheDir: await sharedCache() };
  service = await initService(context, template.dir, 'svc', '--ref', 'v1.0.0');
  installed = join(await suiteTempDir('td-bundle-install-'), 'dist', 'cli');
  await mkdir(installed, { recursive: true });
  await writeFile(join(installed, '..', '..', 'package.json'), '{ "type": "module" }\n');
  for (const file of SHIPPED) await copyFile(join(BUILT, file), join(installed, file));
});

async function run(main: string, codeCacheHome: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, TEMPLATE_DRIFT_CACHE_DIR: context.cacheDir, XDG_CACHE_HOME: codeCacheHome, TEMPLATE_DRIFT_MAX_RENDER_MB: '1' };
  return exec(process.execPath, [main, ...args], { cwd: context.cwd, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

async function codeCaches(cacheDir: string): Promise<string[]> {
  return readdir(join(cacheDir, 'code-cache')).catch(() => []);
}

describe('the bundled CLI', () => {
  it('runs from a copy of dist/cli with no node_modules, saying what the in-process CLI says', async () => {
    const inProcess = await cli(context, 'check', service, '--json');
    const bundled = await run(join(installed, 'main.js'), await tempDir('td-home-'), 'check', service, '--json');
    expect(bundled).toEqual({ code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr });
    expect(inProcess.code).toBe(1);
  });

  it('renders a cookiecutter template from the copy: minijinja\'s WebAssembly ships beside the bundle', async () => {
    const template = await TestRepo.create(await fixtureTree('service'), 'td-bundle-cc-', suiteTempDir);
    const bundled = await run(join(installed, 'main.js'), await tempDir('td-home-'), 'render', '--template', template.dir, '--out', 'cc-out');
    expect(bundled.stderr).toBe('');
    expect(await readFile(join(context.cwd, 'cc-out', 'my_fancy_project', 'settings.py'), 'utf8')).toContain('DEBUG = False');
  });

  it("renders cookiecutter templates in its own render process, whose limits hold: 'x' * 2000000000 is one template error", async () => {
    const tree = { ...(await fixtureTree('service')), '{{cookiecutter.project_slug}}/bomb.txt': "{{ 'x' * 2000000000 }}\n" };
    const template = await TestRepo.create(tree, 'td-bundle-cc-', suiteTempDir);
    const bundled = await run(join(installed, 'main.js'), await tempDir('td-home-'), 'render', '--template', template.dir, '--out', 'cc-bomb');
    expect(bundled.code).toBe(2);
    expect(bundled.stderr).toBe('template-drift: {{cookiecutter.project_slug}}/bomb.txt: rendering used more than 262 MB of memory, ' +
      'the render limit (it grows with TEMPLATE_DRIFT_MAX_RENDER_MB); rendering stopped\n');
  });

  it('keeps V8 code in the cache folder after its first run, and uses it without a change in output', async () => {
    const home = await tempDir('td-home-');
    const cacheDir = await tempDir('td-code-cache-');
    const main = join(BUILT, 'main.js');
    const runIn = (...args: string[]) =>
      exec(process.execPath, [main, ...args], { cwd: context.cwd, env: { ...process.env, TEMPLATE_DRIFT_CACHE_DIR: cacheDir, XDG_CACHE_HOME: home } });
    const first = await runIn('--version');
    const [cache] = await codeCaches(cacheDir);
    expect(cache).toMatch(/^[0-9a-f]{32}\.bin$/);
    const saved = await readFile(join(cacheDir, 'code-cache', cache!));
    expect(saved.length).toBeGreaterThan(10_000);
    expect((await runIn('--version')).stdout).toBe(first.stdout);
    // Used, not rewritten: V8 accepted it.
    expect(await readFile(join(cacheDir, 'code-cache', cache!))).toEqual(saved);
  });

  it('ignores a damaged code cache and writes a good one in its place', async () => {
    const cacheDir = await tempDir('td-code-cache-');
    const main = join(BUILT, 'main.js');
    const env = { ...process.env, TEMPLATE_DRIFT_CACHE_DIR: cacheDir };
    const first = await exec(process.execPath, [main, '--help'], { env });
    const [cache] = await codeCaches(cacheDir);
    const good = await readFile(join(cacheDir, 'code-cache', cache!));
    await writeFile(join(cacheDir, 'code-cache', cache!), Buffer.alloc(good.length, 7));
    expect((await exec(process.execPath, [main, '--help'], { env })).stdout).toBe(first.stdout);
    expect((await readFile(join(cacheDir, 'code-cache', cache!))).equals(good)).toBe(false);
    expect((await readFile(join(cacheDir, 'code-cache', cache!))).subarray(0, 64)).not.toEqual(Buffer.alloc(64, 7));
  });

  it('ships the bundle as ASCII under a first line with the digest of the rest, which names its code cache', async () => {
    const bytes = await readFile(join(BUILT, 'template-drift.cjs'));
    const [first, ...rest] = bytes.toString('latin1').split('\n');
    const body = Buffer.from(rest.join('\n'), 'latin1');
    expect(first).toBe(`// template-drift bundle sha256=${createHash('sha256').update(body).digest('hex')}`);
    expect(body.every((byte) => byte < 0x80)).toBe(true);
  });

  it('loads a bundle without that first line too, naming its code cache by the bundle\'s own hash', async () => {
    const dir = await tempDir('td-bundle-');
    const cacheDir = await tempDir('td-code-cache-');
    // Not ASCII: read as UTF-8, as Node would.
    await writeFile(join(dir, 'plain.cjs'), 'module.exports = { runCli: async (argv) => argv.join("·").length };\n');
    const plain = loadBundle(join(dir, 'plain.cjs'), { TEMPLATE_DRIFT_CACHE_DIR: cacheDir });
    expect(await plain.cli.runCli(['a', 'b'])).toBe(3);
    plain.saveCodeCache();
    expect(await codeCaches(cacheDir)).toHaveLength(1);
    await writeFile(join(dir, 'headed.cjs'), `// template-drift bundle sha256=${'0'.repeat(64)}\nmodule.exports = { runCli: async () => 7 };\n`);
    const headed = loadBundle(join(dir, 'headed.cjs'), { TEMPLATE_DRIFT_CACHE_DIR: cacheDir });
    expect(await headed.cli.runCli([])).toBe(7);
    headed.saveCodeCache();
    expect(await codeCaches(cacheDir)).toHaveLength(2);
  });

  it('runs when the cache folder cannot be written (a file where the folder would be)', async () => {
    const cacheDir = await tempDir('td-code-cache-');
    await writeFile(join(cacheDir, 'code-cache'), 'not a folder\n');
    const result = await exec(process.execPath, [join(BUILT, 'main.js'), '--version'], { env: { ...process.env, TEMPLATE_DRIFT_CACHE_DIR: cacheDir } });
    expect(result.stdout).toBe('0.1.0\n');
    expect(result.stderr).toBe('');
  });
});
