import { runCli } from '../../src/cli/program.js';
import type { CliEnvironment } from '../../src/cli/environment.js';
import type { Output } from '../../src/cli/output.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process, as a user would call it from `cwd`, and captures what it says. */
export async function runTemplateDrift(args: string[], environment: Partial<CliEnvironment> & { cwd: string; cacheDir: string }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const output: Output = {
    color: false,
    print: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`),
    error: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
    progress: () => undefined,
  };
  const code = await runCli(args, { serverUrl: 'https://github.com', ...environment }, output);
  return { code, stdout, stderr };
}
