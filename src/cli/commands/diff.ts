import { gitPatch } from '../../git/git-patch.js';
import type { CliEnvironment } from '../environment.js';
import { paint, type Output } from '../output.js';
import { loadServiceRepository, prepareLocalUpdate, updateFiles, type UpdateFlags } from '../service-repository.js';

export type DiffOptions = UpdateFlags;

/**
 * `diff`: the patch `update` would apply, coloured on a terminal, and nothing written. It is
 * git's own patch of the service's files now against the files after the update, so
 * `git apply` takes it (binary files, modes, symlinks and all), and its paths are named from the
 * top of the git repository, as `git diff` names them. Exits like `check`: 1 when the update
 * would change anything, 0 when not.
 */
export async function diff(dir: string | undefined, options: DiffOptions, environment: CliEnvironment, output: Output): Promise<number> {
  const service = await loadServiceRepository(dir, environment);
  const update = await prepareLocalUpdate(service, options, environment, output);
  const { writes, deletes } = await updateFiles(service, update);
  const now = await service.checkout.readFiles([...writes.keys(), ...deletes]);
  const after = new Map(now);
  for (const path of deletes) after.delete(path);
  for (const [path, entry] of writes) after.set(path, entry);
  const prefix = (await service.checkout.repositoryPlace())?.prefix ?? '';
  const patch = await gitPatch(now, after, { prefix });
  if (patch.length > 0) output.write(output.color ? colorize(patch, output) : patch);
  return update.upToDate ? 0 : 1;
}

/**
 * Colours a patch line by line without decoding it: latin1 maps each byte to one character and
 * back, so file content in any encoding survives the escape codes around it.
 */
function colorize(patch: Buffer, output: Output): Buffer {
  const c = paint(output);
  const text = patch
    .toString('latin1')
    .split('\n')
    .map((line) => {
      if (/^(diff --git|index |---|\+\+\+|new file|deleted file|old mode|new mode|GIT binary patch)/.test(line)) return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
  return Buffer.from(text, 'latin1');
}
