import { spawn } from 'node:child_process';
import { GitError } from 'simple-git';
import { gitEnvironment, type GitClientOptions } from './git-client.js';

export interface GitProcessOptions extends Pick<GitClientOptions, 'env' | 'protocols' | 'acceptExitCodes'> {
  /** Written to git's standard input, which is then closed (`cat-file --batch`). */
  readonly input?: string;
  /** Aborting it stops git (a job's deadline). */
  readonly signal?: AbortSignal;
}

export interface GitProcessResult {
  readonly stdout: Buffer;
  readonly exitCode: number;
}

/**
 * Runs one local git command directly, for the hot commands of an update (`merge-file`,
 * `cat-file --batch`): it resolves when git has closed its output, as Node's execFile does,
 * with no fixed wait after a command that prints nothing (simple-git waits 50 ms then), and
 * it can feed git's standard input. Arguments are an array, as everywhere; the environment is
 * gitClient's, restrictions included. Network commands stay on gitClient, with its bounds.
 */
export function runGit(cwd: string, args: readonly string[], options: GitProcessOptions = {}): Promise<GitProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], {
      cwd,
      env: gitEnvironment(options),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.signal && { signal: options.signal }),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new GitError(undefined, error.message)));
    child.on('close', (code) => {
      const exitCode = code ?? -1;
      if (exitCode === 0 || options.acceptExitCodes?.(exitCode)) resolve({ stdout: Buffer.concat(stdout), exitCode });
      else reject(new GitError(undefined, Buffer.concat(stderr).toString('utf8') || `git ${args[0]} exited with ${exitCode}`));
    });
    if (options.input !== undefined) {
      // A git that exits before reading everything closes the pipe: its exit code tells why.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.input);
    }
  });
}
