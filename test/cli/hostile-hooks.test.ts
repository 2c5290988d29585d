import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { access, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureTree } from '../engine/cookiecutter/fixture-files.js';
import { suiteTempDir } from '../git/suite-repo.js';
import { runTemplateDrift } from '../support/run-cli.js';
import { TestRepo } from '../support/temp-repo.js';
import { cli, cliContext, expectCleanFailure, initService, sharedCache, treeState } from './cli-fixtures.js';

/** The hooks fixture with its post hook replaced by `script` (a hostile one). */
async function templateWithPostHook(script: string): Promise<TestRepo> {
  return TestRepo.create({ ...(await fixtureTree('hooks')), 'hooks/post_gen_project.py': script }, 'td-hostile-', suiteTempDir);
}

const exists = (path: string) => access(path).then(() => true, () => false);

/** The processes of this machine whose command line holds `text`. */
async function processesRunning(text: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const lines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'latin1').then((line) => (line.includes(text) ? pid : undefined), () => undefined)));
  return lines.filter((pid) => pid !== undefined);
}

describe('hostile hooks, run with --trust', () => {
  let cache: string;
  beforeAll(async () => {
    cache = await sharedCache();
  });

  it('find no token: not in their environment under any name, nor in another process\'s environment through /proc', async () => {
    // A process of this machine holding a token in its environment, as the app's own process does.
    const canary = spawn('sleep', ['30'], { env: { PATH: process.env.PATH, TD_CANARY_TOKEN: 'ghs_canarytoken' }, stdio: 'ignore' });
    try {
      const template = await templateWithPostHook([
        'import os, glob',
        'found = [k for k, v in os.environ.items() if "ghs_" in v or "secret" in v.lower()]',
        'for path in glob.glob("/proc/[0-9]*/environ"):',
        '    try:',
        '        if b"ghs_" in open(path, "rb").read(): found.append(path)',
        '    except OSError:',
        '        pass',
        'open("FOUND.txt", "w").write(repr(found))',
        '',
      ].join('\n'));
      const context = await cliContext(cache);
      const hookEnv = { PATH: process.env.PATH, GITHUB_TOKEN: 'ghs_secret', GH_TOKEN: 'ghs_secret', PRIVATE_KEY: 'secret-key', WEBHOOK_SECRET: 'secret' };
      const run = await runTemplateDrift(['render', '--template', template.dir, '--out', 'out', '--trust'], { ...context, hookEnv });
      expect(run.stderr).toBe('');
      expect(await readFile(join(context.cwd, 'out', 'FOUND.txt'), 'utf8')).toBe('[]');
      // The canary's token is readable from outside the confinement: the check above could have seen it.
      expect((await readFile(`/proc/${canary.pid}/environ`, 'latin1'))).toContain('ghs_canarytoken');
    } finally {
      canary.kill('SIGKILL');
    }
  });

  it('cannot write outside their temporary folder (the repository, /tmp, the template cache), nor remount to do so', async () => {
    const context = await cliContext(cache);
    const service = await initService(context, (await templateWithPostHook('')).dir, 'svc', '--trust');
    const outside = [join(service, 'ESCAPED.txt'), join(tmpdir(), `td-escaped-${process.pid}.txt`), join(cache, 'ESCAPED.txt')];
    const template = await templateWithPostHook([
      'import subprocess',
      'results = []',
      `for path in ${JSON.stringify(outside)}:`,
      '    try:',
      '        open(path, "w").write("escaped")',
      '        results.append("written " + path)',
      '    except OSError as error:',
      '        results.append(error.strerror)',
      'remount = subprocess.run(["mount", "-o", "remount,bind,rw", "/"], capture_output=True)',
      'results.append("remount exit %d" % remount.returncode)',
      'open("RESULTS.txt", "w").write("\\n".join(results))',
      '',
    ].join('\n'));
    const run = await runTemplateDrift(['render', '--template', template.dir, '--out', 'out', '--trust'], context);
    expect(run.stderr).toBe('');
    const results = (await readFile(join(context.cwd, 'out', 'RESULTS.txt'), 'utf8')).split('\n');
    expect(results.slice(0, 3)).toEqual(['Read-only file system', 'Read-only file system', 'Read-only file system']);
    expect(results[3]).not.toBe('remount exit 0');
    for (const path of outside) expect(await exists(path)).toBe(false);
  });

  it('cannot reach the network, not even this machine\'s own services on loopback', async () => {
    // A service of this machine's, as the app's Redis, a metadata endpoint or an internal API would be.
    let reached = false;
    const server = createServer((socket) => { reached = true; socket.end('hello'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const template = await templateWithPostHook([
        'import socket',
        'results = []',
        `for host in ["127.0.0.1", "localhost"]:`,
        '    try:',
        `        socket.create_connection((host, ${port}), timeout=5).recv(5)`,
        '        results.append("connected")',
        '    except OSError as error:',
        '        results.append(type(error).__name__)',
        'open("NETWORK.txt", "w").write(" ".join(results))',
        '',
      ].join('\n'));
      const context = await cliContext(cache);
      const run = await runTemplateDrift(['render', '--template', template.dir, '--out', 'out', '--trust'], context);
      expect(run.stderr).toBe('');
      expect(await readFile(join(context.cwd, 'out', 'NETWORK.txt'), 'utf8')).not.toContain('connected');
      expect(reached).toBe(false);
    } finally {
      server.close();
    }
  });

  it('that hang are stopped at the timeout with whatever they started, and the repository is left as it was', async () => {
    const context = await cliContext(cache);
    const template = await templateWithPostHook('');
    const service = await initService(context, template.dir, 'svc', '--trust');
    const seconds = `${600 + (process.pid % 1000)}.5`;
    await template.release('v2.0.0', { 'hooks/post_gen_project.py': `import subprocess, time\nsubprocess.Popen(["sleep", "${seconds}"])\ntime.sleep(60)\n` });
    const before = await treeState(service);
    const run = await runTemplateDrift(['update', service, '--to', 'v2.0.0', '--trust'], { ...context, hookTimeoutSeconds: 0.5 });
    expectCleanFailure(run, /ran longer than 0.5 s \(TEMPLATE_DRIFT_HOOK_TIMEOUT_S\) and was stopped/);
    expect(await treeState(service)).toEqual(before);
    expect(await processesRunning(`sleep\0${seconds}`)).toEqual([]);
  });

  it('that exit 1 abort the update with their message, and the repository is left as it was', async () => {
    const context = await cliContext(cache);
    const base = await templateWithPostHook('');
    const service = await initService(context, base.dir, 'svc', '--trust');
    await base.release('v2.0.0', { 'hooks/post_gen_project.py': 'import sys\nprint("no such database", file=sys.stderr)\nsys.exit(1)\n' });
    const before = await treeState(service);
    const run = await cli(context, 'update', service, '--to', 'v2.0.0', '--trust');
    expectCleanFailure(run, /hook hooks\/post_gen_project\.py failed \(exit 1\).*no such database/s);
    expect(await treeState(service)).toEqual(before);
  });
});
