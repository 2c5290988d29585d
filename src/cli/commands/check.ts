import type { CliEnvironment } from '../environment.js';
import type { Output } from '../output.js';
import { describeUpdate, updateJson } from '../report.js';
import { loadServiceRepository, prepareLocalUpdate, templateCopiesFor, type UpdateFlags } from '../service-repository.js';

export interface CheckOptions extends UpdateFlags {
  readonly json?: boolean;
}

/** `check`: would an update change anything? 0 no, 1 yes (behind or drifted). A CI gate. */
export async function check(dir: string | undefined, options: CheckOptions, environment: CliEnvironment, output: Output): Promise<number> {
  const service = await loadServiceRepository(dir, environment);
  const update = await prepareLocalUpdate(service, options, environment, output);
  const copies = await templateCopiesFor(service, update);
  output.print(options.json ? JSON.stringify(updateJson(update, copies), null, 2) : describeUpdate(update, output, copies));
  return update.upToDate ? 0 : 1;
}
