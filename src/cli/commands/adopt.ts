import { resolve } from 'node:path';
import { ANSWERS_FILE, createAnswersText } from '../../engine/answers-file.js';
import { CRUFT_FILE, parseCruftState } from '../../engine/cruft-file.js';
import { REGULAR } from '../../engine/file-map.js';
import { UserError } from '../../engine/user-error.js';
import { LocalCheckout } from '../../git/local-checkout.js';
import type { CliEnvironment } from '../environment.js';
import type { Output } from '../output.js';

/**
 * `adopt [DIR]`: a repository that cruft manages moves over for good. Its `.cruft.json` becomes
 * `.github/template-drift.yml` (template, the ref cruft followed, commit, answers, skip as
 * ignore) and is removed, in one write; nothing else changes, so the next `update` starts from
 * the commit cruft last applied.
 */
export async function adopt(dir: string | undefined, environment: CliEnvironment, output: Output): Promise<number> {
  const checkout = new LocalCheckout(resolve(environment.cwd, dir ?? '.'));
  const cruftText = await checkout.readText(CRUFT_FILE);
  if (cruftText === undefined) throw new UserError(`${checkout.dir} has no ${CRUFT_FILE} to adopt`);
  if ((await checkout.readText(ANSWERS_FILE)) !== undefined) {
    throw new UserError(`${checkout.dir} already has ${ANSWERS_FILE}, which wins over ${CRUFT_FILE}; remove ${CRUFT_FILE} yourself if it is left over`);
  }
  const answers = parseCruftState(cruftText);
  const answersText = createAnswersText({
    template: answers.template,
    ...(answers.version !== undefined && { version: answers.version }),
    commit: answers.commit!,
    variables: answers.variables,
    ignore: answers.ignore,
  });
  await checkout.write(new Map([[ANSWERS_FILE, { content: Buffer.from(answersText), mode: REGULAR }]]), [CRUFT_FILE]);
  output.print(`Wrote ${ANSWERS_FILE} from ${CRUFT_FILE} (template ${answers.template} at ${answers.commit!.slice(0, 12)}) and removed ${CRUFT_FILE}.`);
  return 0;
}
