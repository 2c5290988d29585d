import { Command, CommanderError, Option } from 'commander';
import { isUserError } from '../engine/user-error.js';
import { redact } from '../git/redact.js';
import { adopt } from './commands/adopt.js';
import { check } from './commands/check.js';
import { diff } from './commands/diff.js';
import { init } from './commands/init.js';
import { render } from './commands/render.js';
import type { ScanOptions } from './commands/scan.js';
import { update } from './commands/update.js';
import { readEnvironment, type CliEnvironment } from './environment.js';
import { terminalOutput, type Output } from './output.js';
import { collectVar } from './parse-vars.js';

/** Exit codes, the CLI's contract with scripts: 0 nothing to do / done, 1 changes or conflicts, 2 error. */
export const EXIT_ERROR = 2;

/**
 * Runs the command line and resolves to the exit code. Every failure ends here: a UserError is
 * printed as its one message; anything else is a bug, shown with its stack under --debug. With
 * `--json`, stdout gets the failure too, as `{ "error": { "message": … } }`, so a script that
 * parses stdout always has JSON to parse.
 */
export async function runCli(argv: readonly string[], environment: CliEnvironment = readEnvironment(), output: Output = terminalOutput()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(environment, output, (code) => (exitCode = code));
  const json = argv.includes('--json');
  const secrets = environment.token ? [environment.token] : [];
  const printJsonError = (message: string) => {
    if (json) output.print(JSON.stringify({ error: { message: redact(message, secrets) } }, null, 2));
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      printJsonError(error.message.replace(/^error: /, ''));
      return EXIT_ERROR;
    }
    const debug = argv.includes('--debug');
    if (isUserError(error)) {
      output.error(`template-drift: ${redact(error.message, secrets)}`);
      if (debug && error.stack) output.error(redact(error.stack, secrets));
      printJsonError(error.message);
    } else {
      const detail = error instanceof Error ? (debug ? error.stack ?? error.message : error.message) : String(error);
      output.error(`template-drift: unexpected error: ${redact(detail, secrets)}`);
      if (!debug) output.error('Run again with --debug to see where it happened.');
      printJsonError(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    }
    return EXIT_ERROR;
  }
}

function buildProgram(environment: CliEnvironment, output: Output, setExit: (code: number) => void): Command {
  const program = new Command('template-drift')
    .description('Keep repositories made from a template in line with it.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .addOption(new Option('--debug', 'show stack traces for unexpected errors'))
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.print(text), writeErr: (text) => output.error(text) })
    .showHelpAfterError();
  const done = (code: number) => setExit(code);

  program
    .command('init')
    .description('write every template file DIR lacks, plus the answers file')
    .argument('<dir>', 'the repository folder (created if missing)')
    .requiredOption('--template <src>', 'template: owner/repo, clone URL, file:// URL or local path')
    .option('--ref <ref>', 'template tag, branch or commit (default: latest release tag)')
    .option('--var <name=value>', 'a variable value (repeatable)', collectVar)
    .option('--trust', "run the template's hooks (cookiecutter's pre_gen_project / post_gen_project): its own code")
    .action(async (dir: string, options: Parameters<typeof init>[1]) => done(await init(dir, options, environment, output)));

  program
    .command('render')
    .description('render the template into an empty folder')
    .requiredOption('--template <src>', 'template: owner/repo, clone URL, file:// URL or local path')
    .option('--ref <ref>', 'template tag, branch or commit (default: latest release tag)')
    .option('--var <name=value>', 'a variable value (repeatable)', collectVar)
    .option('--answers <file>', 'take variable values from this answers file')
    .requiredOption('--out <dir>', 'folder to write into (empty or new)')
    .option('--trust', "run the template's hooks (cookiecutter's pre_gen_project / post_gen_project): its own code")
    .action(async (options: Parameters<typeof render>[0]) => done(await render(options, environment, output)));

  program
    .command('check')
    .description('exit 0 if an update would change nothing, 1 if it would, 2 on error')
    .argument('[dir]', 'the repository folder', '.')
    .option('--to <ref>', 'template ref to compare with (default: latest release tag)')
    .option('--var <name=value>', 'preview a changed answer (repeatable)', collectVar)
    .option('--allow-downgrade', 'allow --to an older version than the recorded one')
    .option('--json', 'print the result as JSON')
    .option('--trust', "run the template's hooks (cookiecutter's pre_gen_project / post_gen_project): its own code")
    .action(async (dir: string, options: Parameters<typeof check>[1]) => done(await check(dir, options, environment, output)));

  program
    .command('diff')
    .description('print the unified diff an update would apply')
    .argument('[dir]', 'the repository folder', '.')
    .option('--to <ref>', 'template ref to update to (default: latest release tag)')
    .option('--var <name=value>', 'preview a changed answer (repeatable)', collectVar)
    .option('--allow-downgrade', 'allow --to an older version than the recorded one')
    .option('--trust', "run the template's hooks (cookiecutter's pre_gen_project / post_gen_project): its own code")
    .action(async (dir: string, options: Parameters<typeof diff>[1]) => done(await diff(dir, options, environment, output)));

  program
    .command('update')
    .description('apply the update to the working tree, uncommitted (exit 1 when conflicts were written)')
    .argument('[dir]', 'the repository folder', '.')
    .option('--to <ref>', 'template ref to update to (default: latest release tag)')
    .option('--var <name=value>', 'change an answer: written into the answers file and applied (repeatable)', collectVar)
    .option('--allow-downgrade', 'allow --to an older version than the recorded one')
    .option('--json', 'print the result as JSON')
    .option('--trust', "run the template's hooks (cookiecutter's pre_gen_project / post_gen_project): its own code")
    .action(async (dir: string, options: Parameters<typeof update>[1]) => done(await update(dir, options, environment, output)));

  program
    .command('scan')
    .description('where every repository of an organisation stands against its template (exit 1 when any is not in line)')
    .requiredOption('--owner <org>', 'the organisation (or user) whose repositories are read, with GITHUB_TOKEN')
    .option('--template <owner/repo>', 'only the repositories of this template')
    .option('--json', 'print the inventory as JSON (the app\'s fleet.json)')
    .option('--csv', 'print one CSV row per repository')
    .option('--html <file>', 'write the fleet page to FILE')
    // Loaded when run: its GitHub client (Octokit, its plugins and route tables) is a fifth of
    // the bundle, which no other command needs at start-up.
    .action(async (options: ScanOptions) => done(await (await import('./commands/scan.js')).scan(options, environment, output)));

  program
    .command('adopt')
    .description("move a repository cruft manages over for good: write the answers file from .cruft.json and remove it")
    .argument('[dir]', 'the repository folder', '.')
    .action(async (dir: string) => done(await adopt(dir, environment, output)));

  return program;
}
