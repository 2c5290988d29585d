import { ANSWERS_FILE } from '../../engine/answers-file.js';
import { REGULAR } from '../../engine/file-map.js';
import { unifiedDiff } from '../../engine/unified-diff.js';
import type { CliEnvironment } from '../environment.js';
import { paint, type Output } from '../output.js';
import { loadServiceRepository, prepareLocalUpdate, type UpdateFlags } from '../service-repository.js';

export type DiffOptions = UpdateFlags;

/** `diff`: the unified diff `update` would apply, coloured on a terminal. Writes nothing. Exits 0. */
export async function diff(dir: string | undefined, options: DiffOptions, environment: CliEnvironment, output: Output): Promise<number> {
  const service = await loadServiceRepository(dir, environment);
  const update = await prepareLocalUpdate(service, options, environment, output);
  const patches = update.changes.filter((change) => change.action !== 'keep').map((change) => unifiedDiff(change.path, change.before, change.after));
  if (update.answersText !== service.answersText) {
    const entry = (text: string) => ({ content: Buffer.from(text), mode: REGULAR });
    patches.push(unifiedDiff(ANSWERS_FILE, entry(service.answersText), entry(update.answersText)));
  }
  if (patches.length > 0) output.print(colorize(patches.join(''), output));
  return 0;
}

function colorize(patch: string, output: Output): string {
  const c = paint(output);
  return patch
    .split('\n')
    .map((line) => {
      if (/^(diff --git|---|\+\+\+|new file|deleted file|old mode|new mode)/.test(line)) return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
}
