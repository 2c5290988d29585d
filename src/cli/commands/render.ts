import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseAnswers } from '../../engine/answers-file.js';
import { UserError } from '../../engine/user-error.js';
import { LocalCheckout } from '../../git/local-checkout.js';
import { resolveTarget } from '../../workflows/prepare-update.js';
import { templateVersion } from '../../workflows/template-version.js';
import { afterHooks } from '../../workflows/template-hooks.js';
import { hooksPolicy, openTemplate, rendererOf, type CliEnvironment } from '../environment.js';
import type { Output } from '../output.js';

export interface RenderOptions {
  readonly template: string;
  readonly ref?: string;
  readonly var?: Record<string, string>;
  readonly trust?: boolean;
  readonly answers?: string;
  readonly out: string;
}

/** `render`: the template's output for some answers, into an empty folder. */
export async function render(options: RenderOptions, environment: CliEnvironment, output: Output): Promise<number> {
  const out = new LocalCheckout(resolve(environment.cwd, options.out));
  const present = await readdir(out.dir).catch(() => []);
  if (present.length > 0) throw new UserError(`--out ${out.dir} is not empty; render writes only into an empty or new folder`);

  const answers = options.answers ? parseAnswers(await readAnswers(resolve(environment.cwd, options.answers))) : undefined;
  const { repository } = await openTemplate(options.template, environment.cwd, environment, output);
  const target = await resolveTarget(repository, options.ref, false);
  const snapshot = await afterHooks(await rendererOf(environment)({
    ...(await templateVersion(repository, target)),
    ...(answers && { answers: answers.variables }),
    ...(options.var && { overrides: options.var }),
    repo: await out.identity(),
    keepHooks: true,
  }), hooksPolicy(environment, options.trust));
  await out.write(snapshot.output, []);
  output.print(`Rendered ${snapshot.output.size} files from ${snapshot.manifest.name} ${target.ref} into ${out.dir}.`);
  return 0;
}

async function readAnswers(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new UserError(`Cannot read the answers file ${path}`);
  }
}
