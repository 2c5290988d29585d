import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RenderedHook } from '../engine/cookiecutter/render-cookiecutter.js';
import type { FileEntry, FileMap } from '../engine/file-map.js';
import { EXECUTABLE, REGULAR, SYMLINK } from '../engine/file-map.js';
import { assertSafeOutputPath, assertSafeOutputTree, assertShortSegments } from '../engine/safe-path.js';
import { UserError } from '../engine/user-error.js';
import type { HookRunner } from '../workflows/template-hooks.js';
import { confinement, found, type Confine } from './confine-hook.js';

/** The settings that say hooks may run: `--trust` sets the first in the CLI; operators set it for the app. */
export const TRUST_HOOKS_SETTING = 'TEMPLATE_DRIFT_TRUST_HOOKS';
export const HOOK_TIMEOUT_SETTING = 'TEMPLATE_DRIFT_HOOK_TIMEOUT_S';
const DEFAULT_TIMEOUT_S = 60;

/**
 * The only variables a hook sees. An allow-list, not a deny-list: whatever the app or the
 * person's shell holds (tokens, keys, cloud credentials) under any name stays out.
 */
const PASSED_ON = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'] as const;

export interface HookRunnerOptions {
  /** The environment PATH and the locale are taken from (process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Seconds one hook may run before it is stopped (TEMPLATE_DRIFT_HOOK_TIMEOUT_S, default 60). */
  readonly timeoutSeconds?: number;
  /** The most bytes the hooks may leave behind, as the render limit bounds rendering (default 100 MB). */
  readonly maxBytes?: number;
}

/** Seconds from TEMPLATE_DRIFT_HOOK_TIMEOUT_S (unset or invalid: 60). */
export function hookTimeoutSeconds(text: string | undefined): number {
  const seconds = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT_S;
}

/**
 * Hooks as cookiecutter runs them, in a temporary folder (never the repository):
 * 1. an empty output folder; `pre_gen_project` runs in it;
 * 2. the rendered files are written into it; `post_gen_project` runs in it;
 * 3. what is there afterwards is the output (hooks delete files for options not chosen).
 * A `.py` hook runs with `python3` from PATH, any other as an executable (its `#!` line). Each
 * runs confined (see confine-hook.ts: the temporary folder is the only place it can write, and it
 * sees no other process), with an allow-listed environment whose HOME and TMPDIR are that folder,
 * within the timeout (its whole process group is stopped then); a non-zero exit aborts, as in
 * cookiecutter.
 */
export function hookRunner(options: HookRunnerOptions): HookRunner {
  const timeoutMs = (options.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000;
  return async (output, hooks) => {
    const confine = await confinement();
    const work = await mkdtemp(join(tmpdir(), 'td-hooks-'));
    try {
      const project = join(work, 'project');
      const scripts = join(work, 'scripts');
      await mkdir(project);
      await mkdir(scripts);
      const env = hookEnv(options.env, work);
      for (const hook of hooks.filter((h) => h.name === 'pre_gen_project')) await runHook(hook, confine, scripts, project, env, timeoutMs);
      await writeOutput(project, output);
      for (const hook of hooks.filter((h) => h.name === 'post_gen_project')) await runHook(hook, confine, scripts, project, env, timeoutMs);
      const after = await readOutput(project, options.maxBytes ?? 100 * 1024 * 1024);
      assertSafeOutputTree(after);
      return after;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };
}

function hookEnv(from: Readonly<Record<string, string | undefined>>, work: string): Record<string, string> {
  const env: Record<string, string> = { HOME: work, TMPDIR: work, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' };
  for (const name of PASSED_ON) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

async function runHook(hook: RenderedHook, confine: Confine, scripts: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
  const script = join(scripts, hook.file.split('/').pop()!);
  await writeFile(script, hook.script);
  await chmod(script, 0o700);
  const python = script.endsWith('.py');
  if (python && !(await found('python3', env.PATH))) {
    throw new UserError(`The template's hook ${hook.file} needs python3, which is not on PATH here; install Python 3 to render this template`);
  }
  const result = await run(confine(dirname(scripts), python ? ['python3', script] : [script]), cwd, env, timeoutMs);
  if (result.kind === 'missing') throw new UserError(`The template's hook ${hook.file} cannot be run here: ${result.detail}`);
  if (result.kind === 'timeout') {
    throw new UserError(`The template's hook ${hook.file} ran longer than ${timeoutMs / 1000} s (${HOOK_TIMEOUT_SETTING}) and was stopped`);
  }
  if (result.code !== 0) {
    const said = result.stderr.trim().split('\n').slice(-5).join('\n').slice(0, 2000);
    throw new UserError(`The template's hook ${hook.file} failed (exit ${result.code}), so the template cannot be rendered${said ? `: ${said}` : ''}`);
  }
}

type RunResult = { kind: 'exit'; code: number; stderr: string } | { kind: 'missing'; detail: string } | { kind: 'timeout' };

function run([command, ...args]: readonly string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    // Its own process group, so a timeout stops whatever the hook started too.
    const child = spawn(command!, args, { cwd, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64_000) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: 'missing', detail: error.code === 'ENOENT' ? 'not found' : error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(timedOut ? { kind: 'timeout' } : { kind: 'exit', code: code ?? 1, stderr });
    });
  });
}

async function writeOutput(dir: string, output: FileMap): Promise<void> {
  for (const [path, entry] of output) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    if (entry.mode === SYMLINK) await symlink(entry.content.toString('utf8'), full);
    else await writeFile(full, entry.content, { mode: entry.mode === EXECUTABLE ? 0o755 : 0o644 });
  }
}

/** The output folder as the hooks left it; a `.git` they made (`git init` is a common post hook) is not output. */
async function readOutput(dir: string, maxBytes: number): Promise<Map<string, FileEntry>> {
  const files = new Map<string, FileEntry>();
  let bytes = 0;
  async function walk(relative: string): Promise<void> {
    for (const name of (await readdir(join(dir, relative))).sort()) {
      if (name === '.git') continue;
      const path = relative ? `${relative}/${name}` : name;
      assertSafeOutputPath(path, `the hooks' output ${path}`);
      assertShortSegments(path, `the hooks' output ${path}`);
      const stats = await lstat(join(dir, path));
      bytes += stats.size;
      if (bytes > maxBytes) throw new UserError(`The template's hooks left more than ${maxBytes} bytes of output, past the render limit`);
      if (stats.isDirectory()) await walk(path);
      else if (stats.isSymbolicLink()) files.set(path, { content: Buffer.from(await readlink(join(dir, path))), mode: SYMLINK });
      else if (stats.isFile()) files.set(path, { content: await readFile(join(dir, path)), mode: stats.mode & 0o100 ? EXECUTABLE : REGULAR });
    }
  }
  await walk('');
  return files;
}
