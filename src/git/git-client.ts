import { tmpdir } from 'node:os';
import { GitError, GitPluginError, simpleGit, type SimpleGit } from 'simple-git';
import { UserError } from '../engine/user-error.js';
import { mergeGitEnv, restrictedGitEnv } from './git-config-env.js';
import { runGit } from './git-process.js';

export interface GitClientOptions {
  /** Extra environment for git: credentials via GIT_CONFIG_* or test isolation. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The only protocols git may speak, with credential helpers, prompts and redirects off (the
   * app, whose remote addresses come from answers files). Absent: git's defaults (the CLI).
   */
  readonly protocols?: readonly string[];
  /** Exit codes (besides 0) that are answers, not failures: `merge-file` exits with its conflict count. */
  readonly acceptExitCodes?: (code: number) => boolean;
  /** Called with each exit code, for commands whose exit code is their answer. */
  readonly onExit?: (code: number) => void;
  /** Limits on network work (the app sets them; the CLI's user has Ctrl-C). */
  readonly bounds?: GitBounds;
}

/** How long git may wait on a remote that sends nothing, and when to stop it altogether. */
export interface GitBounds {
  /**
   * A transfer slower than 1 byte/s for this many seconds is abandoned by git itself (curl's
   * low-speed limit, in the process that does the transfer, so nothing is left behind); a git
   * that prints nothing for a few seconds longer (stuck before any transfer) is stopped.
   */
  readonly stallSeconds?: number;
  /** Aborting it stops the instance's running git and refuses to start more (a job's deadline). */
  readonly signal?: AbortSignal;
}

/** Seconds the no-output backstop waits beyond the stall limit, so that git's own, clearer error comes first. */
const BACKSTOP_MARGIN_S = 5;

/**
 * Variables of the caller's environment that only matter to interactive git (editors, pagers,
 * password prompts) or that run programs we never ask for. simple-git refuses to pass them on,
 * and a non-interactive tool has no use for them, so they are dropped rather than allowed.
 */
const INTERACTIVE_ONLY = new Set([
  'EDITOR', 'VISUAL', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'PAGER', 'GIT_PAGER',
  'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_EXTERNAL_DIFF', 'GIT_PROXY_COMMAND', 'GIT_TEMPLATE_DIR',
]);

function childEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !INTERACTIVE_ONLY.has(key.toUpperCase())) env[key] = value;
  }
  // Configuration lists are joined, not replaced: the caller's own GIT_CONFIG_COUNT survives ours.
  return mergeGitEnv(env, { GIT_TERMINAL_PROMPT: '0' }, extra);
}

/**
 * The one place simple-git instances are made. Git never prompts (a missing credential is an
 * error, not a hung process) and runs with the caller's environment plus `env`.
 */
export function gitClient(baseDir: string, options: GitClientOptions = {}): SimpleGit {
  const { stallSeconds, signal } = options.bounds ?? {};
  const git = simpleGit({
    baseDir,
    maxConcurrentProcesses: 4,
    // Unbounded (the CLI): done when git has closed its output, as with Node's execFile.
    // simple-git's default also ends a command 50 ms after git exits, a timer that outlives the
    // last command and delays the CLI's exit; bounded work (the app) keeps it, because a git
    // stopped by the signal or the stall limit may leave a transport helper holding its output.
    ...(!options.bounds && { completion: { onClose: true, onExit: false } }),
    ...(signal && { abort: signal }),
    ...(stallSeconds && { timeout: { block: (stallSeconds + BACKSTOP_MARGIN_S) * 1000 } }),
    unsafe: {
      // Credentials travel in GIT_CONFIG_COUNT/KEY/VALUE (never argv, where `ps` shows them).
      allowUnsafeConfigEnvCount: true,
      // GIT_CONFIG_GLOBAL and GIT_SSH_COMMAND come from the person's own environment, not from input.
      allowUnsafeConfigPaths: true,
      allowUnsafeSshCommand: true,
      // Only ever set to nothing, by restrictedGitEnv: no helper or askpass program runs for the app.
      allowUnsafeCredentialHelper: true,
      allowUnsafeAskPass: true,
    },
    errors(error, result) {
      options.onExit?.(result.exitCode);
      if (error && options.acceptExitCodes?.(result.exitCode)) return undefined;
      // simple-git wraps anything but its own GitError, so the messages travel as GitErrors.
      if (signal?.aborted) return new GitError(undefined, signal.reason instanceof Error ? signal.reason.message : 'git was stopped');
      if (error instanceof GitPluginError && error.plugin === 'timeout') {
        return new GitError(undefined, `git received nothing for ${(stallSeconds ?? 0) + BACKSTOP_MARGIN_S} s and was stopped`);
      }
      return error;
    },
  });
  return git.env(gitEnvironment(options));
}

/** The environment every git process gets: the caller's, plus credentials, bounds and restrictions. */
export function gitEnvironment(options: Pick<GitClientOptions, 'env' | 'protocols' | 'bounds'> = {}): Record<string, string> {
  const stallSeconds = options.bounds?.stallSeconds;
  const lowSpeed: Record<string, string> = stallSeconds ? { GIT_HTTP_LOW_SPEED_LIMIT: '1', GIT_HTTP_LOW_SPEED_TIME: String(stallSeconds) } : {};
  const restricted = options.protocols ? restrictedGitEnv(options.protocols) : {};
  return childEnvironment(mergeGitEnv(lowSpeed, options.env ?? {}, restricted));
}

/**
 * Refs come from people (flags, answers files, comments): one starting with `-` would be read
 * as an option, so anything that is not plainly a ref name is refused before git sees it.
 */
export function assertRefLike(ref: string, what: string): void {
  if (ref === '' || ref.startsWith('-') || /[\s\0~^:?*[\\]/.test(ref) || ref.includes('..')) {
    throw new UserError(`${what} "${ref}" is not a valid git ref name`);
  }
}

/**
 * The full check, by git itself (`git check-ref-format`), after the quick one above: what git
 * would refuse as a ref name is refused here with a message for people instead.
 */
export async function assertValidRef(ref: string, what: string): Promise<void> {
  assertRefLike(ref, what);
  try {
    // Directly, not through simple-git: its raw() takes git's silent exit 1 here for a success.
    await runGit(tmpdir(), ['check-ref-format', '--allow-onelevel', ref]);
  } catch {
    throw new UserError(`${what} "${ref}" is not a valid git ref name`);
  }
}
