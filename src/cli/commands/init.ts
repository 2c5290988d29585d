import { resolve } from 'node:path';
import { ANSWERS_FILE, createAnswersText } from '../../engine/answers-file.js';
import type { FileEntry } from '../../engine/file-map.js';
import { REGULAR } from '../../engine/file-map.js';
import { UserError } from '../../engine/user-error.js';
import { LocalCheckout } from '../../git/local-checkout.js';
import { redact } from '../../git/redact.js';
import { isRemoteAddress } from '../../git/template-location.js';
import { refuseAnswersFileOutput, resolveTarget } from '../../workflows/prepare-update.js';
import { recordedVariables, templateVersion } from '../../workflows/template-version.js';
import { afterHooks } from '../../workflows/template-hooks.js';
import { hooksPolicy, openTemplate, rendererOf, type CliEnvironment } from '../environment.js';
import type { Output } from '../output.js';

export interface InitOptions {
  readonly template: string;
  readonly ref?: string;
  readonly var?: Record<string, string>;
  readonly trust?: boolean;
}

/**
 * `init`: writes every template file DIR lacks, and the answers file. Existing files are left
 * alone, so adopting an existing repository works; the first `update` then merges.
 */
export async function init(dir: string, options: InitOptions, environment: CliEnvironment, output: Output): Promise<number> {
  const checkout = new LocalCheckout(resolve(environment.cwd, dir));
  if ((await checkout.readText(ANSWERS_FILE)) !== undefined) {
    throw new UserError(`${checkout.dir} already has ${ANSWERS_FILE}; use \`template-drift update\` instead`);
  }
  const { location, repository } = await openTemplate(options.template, environment.cwd, environment, output);
  const target = await resolveTarget(repository, options.ref, false);
  const snapshot = await afterHooks(await rendererOf(environment)({
    ...(await templateVersion(repository, target)),
    ...(options.var && { overrides: options.var }),
    repo: await checkout.identity(),
    keepHooks: true,
  }), hooksPolicy(environment, options.trust));
  refuseAnswersFileOutput(snapshot);

  const present = await checkout.readFiles([...snapshot.output.keys()]);
  const existing = [...snapshot.output.keys()].filter((path) => present.has(path));
  // A folder where the template has a file, or a file where it has a folder, is refused by the write.
  const writes = new Map<string, FileEntry>([...snapshot.output].filter(([path]) => !present.has(path)));
  const answersText = createAnswersText({
    template: recordedSource(options.template, location.url),
    version: target.ref,
    commit: target.commit,
    variables: recordedVariables(snapshot),
  });
  writes.set(ANSWERS_FILE, { content: Buffer.from(answersText), mode: REGULAR });
  await checkout.write(writes, []);

  output.print(`Created ${writes.size - 1} files from ${snapshot.manifest.name} ${target.ref} in ${checkout.dir}` +
    (existing.length > 0 ? `; kept ${existing.length} existing files` : '') + `; answers in ${ANSWERS_FILE}.`);
  return 0;
}

/** What the answers file names as the template: never credentials, and local paths made absolute. */
function recordedSource(source: string, url: string): string {
  if (isRemoteAddress(source)) return redact(source);
  return url.startsWith('/') ? url : source;
}
