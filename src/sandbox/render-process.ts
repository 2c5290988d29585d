import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import type { CookiecutterRender } from '../engine/cookiecutter/cookiecutter-snapshot.js';
import { MAX_RENDER_MB_SETTING, MAX_RENDER_S_SETTING, RenderLimitError, type RenderLimits } from '../engine/render-budget.js';
import type { SnapshotInput } from '../engine/render-snapshot.js';
import { UserError } from '../engine/user-error.js';
import { renderChildEntry } from './render-child-entry.js';
import type { RenderAnswer, RenderFailure } from './render-messages.js';

const MB = 1024 * 1024;

/** How the render process is held: its memory limit, its time, and whether the kernel enforces the memory limit. */
export interface RenderProcessBounds {
  readonly memoryBytes: number;
  readonly milliseconds: number;
  /** util-linux's prlimit, which sets the child's RLIMIT_DATA; without it only the RSS watch holds it. */
  readonly prlimit?: string;
}

/**
 * What one render process may hold: Node itself (about 90 MB of data), the template's files
 * twice (as read and as copied into the output), and six times the output limit, for the text
 * inside minijinja's WebAssembly memory (which never shrinks), its copy as JavaScript strings,
 * the output's Buffers and the answer serialized.
 */
export function renderMemoryBytes(limits: RenderLimits, inputBytes: number): number {
  return 256 * MB + 2 * inputBytes + 6 * limits.maxOutput;
}

/** The child may take this long to start before its own clock (the limit) starts. */
const START_MS = 1_000;
/** How often the parent reads the child's resident set: the second fence, and the only one without prlimit. */
const WATCH_MS = 25;
/** What of the child's stderr is kept, for a failure's message. */
const STDERR_KEEP = 4_000;

/**
 * Renders a cookiecutter version in a Node process of its own, started through `prlimit
 * --data` where util-linux has it: since Linux 4.7 RLIMIT_DATA counts private writable memory,
 * which WebAssembly memory is once it grows (V8 reserves it inaccessible, outside the count),
 * so minijinja's allocation fails at the limit and the render stops there, instead of the 4 GB
 * a `'x' * 2000000000` takes. The parent also reads the child's VmRSS every 25 ms and kills it
 * past the limit, and kills it when its time is up (a synchronous render cannot watch its own
 * clock inside one text). The child gets no environment (no token reaches it).
 */
export async function renderInChildProcess(input: SnapshotInput, bounds: RenderProcessBounds): Promise<CookiecutterRender> {
  const [command, ...args] = await renderCommand(bounds);
  const child = spawn(command!, args, { env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  let stderr = '';
  let stopped: 'memory' | 'time' | undefined;
  const stop = (reason: 'memory' | 'time') => {
    stopped ??= reason;
    child.kill('SIGKILL');
  };
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_KEEP)));
  // A child that dies before reading all its input closes the pipe: its exit says why.
  child.stdin.on('error', () => undefined);
  child.stdin.end(serialize(input));
  const clock = setTimeout(() => stop('time'), bounds.milliseconds + START_MS);
  const watch = setInterval(() => {
    void residentBytes(child.pid).then((bytes) => {
      if (bytes !== undefined && bytes > bounds.memoryBytes) stop('memory');
    });
  }, WATCH_MS);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(clock);
  clearInterval(watch);

  if (stopped === 'time') throw timeLimitError(input.ref, bounds);
  if (stopped === 'memory') throw memoryLimitError(undefined, bounds);
  if (exit.error) throw new Error(`Cannot start the render process (${command}): ${exit.error.message}`);
  if (exit.code === 0) {
    const answer = deserialize(Buffer.concat(stdout)) as RenderAnswer;
    if ('render' in answer) return answer.render;
    throw errorOf(answer.failure, bounds);
  }
  // V8 aborts the process when its heap cannot grow (RLIMIT_DATA reached outside WebAssembly).
  if (exit.signal === 'SIGABRT' || exit.signal === 'SIGTRAP' || /out of memory|allocation failed/i.test(stderr)) {
    throw memoryLimitError(undefined, bounds);
  }
  throw new Error(`The render process ended with ${exit.signal ?? `exit code ${exit.code}`}: ${stderr.trim() || 'it said nothing'}`);
}

function errorOf(failure: RenderFailure, bounds: RenderProcessBounds): Error {
  switch (failure.kind) {
    case 'user':
      return new UserError(failure.message);
    case 'limit':
      return new RenderLimitError(failure.message);
    case 'memory':
      return memoryLimitError(failure.source, bounds);
    case 'bug':
      return Object.assign(new Error(failure.message), failure.stack !== undefined && { stack: failure.stack });
  }
}

function memoryLimitError(source: string | undefined, bounds: RenderProcessBounds): RenderLimitError {
  const mb = Math.round(bounds.memoryBytes / MB);
  return new RenderLimitError(`${source !== undefined ? `${source}: ` : ''}rendering used more than ${mb} MB of memory, ` +
    `the render limit (it grows with ${MAX_RENDER_MB_SETTING}); rendering stopped`);
}

function timeLimitError(ref: string, bounds: RenderProcessBounds): RenderLimitError {
  return new RenderLimitError(`The template at ${ref}: rendering took longer than ${bounds.milliseconds / 1000} s, ` +
    `the render limit (${MAX_RENDER_S_SETTING}); rendering stopped`);
}

/** A process's resident set (VmRSS) in bytes, from /proc (absent where there is no /proc, or once it has exited). */
export async function residentBytes(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
}

/**
 * The command line of the render process: Node with its heap bounded as well (so V8 collects
 * before the limit rather than failing at it), behind prlimit where there is one; no core file.
 * `--liftoff-only`: a process that lives for one render gains nothing from V8 optimizing
 * minijinja's WebAssembly in the background, which cost as much CPU as the render itself (the
 * bench's 94-file cookiecutter template: 0.36 s a process with it, 0.17 s without).
 */
async function renderCommand(bounds: RenderProcessBounds): Promise<string[]> {
  const node = [process.execPath, `--max-old-space-size=${Math.floor(bounds.memoryBytes / MB)}`, '--liftoff-only', ...(await renderChildEntry())];
  return bounds.prlimit ? [bounds.prlimit, `--data=${bounds.memoryBytes}`, '--core=0', '--', ...node] : node;
}
