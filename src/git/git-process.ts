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

/**
 * Every blob in one `git cat-file --batch`: a header line (`<sha> blob <size>`), the bytes, a
 * newline, for each id asked. An id git does not answer with a blob is an error.
 */
export async function readBlobsBatch(cwd: string, shas: readonly string[], options: Omit<GitProcessOptions, 'input'> = {}): Promise<Map<string, Buffer>> {
  const unique = [...new Set(shas)];
  const blobs = new Map<string, Buffer>();
  if (unique.length === 0) return blobs;
  const { stdout } = await runGit(cwd, ['cat-file', '--batch'], { ...options, input: `${unique.join('\n')}\n` });
  let offset = 0;
  for (const sha of unique) {
    const end = stdout.indexOf(0x0a, offset);
    const header = stdout.subarray(offset, end).toString('latin1');
    const [name, type, size] = header.split(' ');
    if (name !== sha || type !== 'blob' || size === undefined) throw new Error(`git cat-file --batch answered "${header}" for blob ${sha}`);
    blobs.set(sha, stdout.subarray(end + 1, end + 1 + Number(size)));
    offset = end + 1 + Number(size) + 1;
  }
  return blobs;
}
