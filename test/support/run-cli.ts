import { runCli } from '../../src/cli/program.js';
import type { CliEnvironment } from '../../src/cli/environment.js';
import type { Output } from '../../src/cli/output.js';

export interface CliRun {
  readonly code: number;
  /** What was printed, as text. */
  readonly stdout: string;
  /** What was printed, byte for byte (a patch holds files in any encoding). */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

/** Runs the CLI in-process, as a user would call it from `cwd`, and captures what it says. */
export async function runTemplateDrift(args: string[], environment: Partial<CliEnvironment> & { cwd: string; cacheDir: string }): Promise<CliRun> {
  const printed: Buffer[] = [];
  let stderr = '';
  const output: Output = {
    color: false,
    print: (text) => printed.push(Buffer.from(text.endsWith('\n') ? text : `${text}\n`)),
    write: (bytes) => printed.push(Buffer.from(bytes)),
    error: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
    progress: () => undefined,
    progressBar: () => undefined,
  };
  const code = await runCli(args, { serverUrl: 'https://github.com', apiUrl: 'https://api.github.com', ...environment }, output);
  const stdoutBytes = Buffer.concat(printed);
  return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr };
}
