import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../engine/user-error.js';

/**
 * Confinement for a template's hook, with util-linux's `unshare` (no setuid helper, no daemon):
 * a user namespace of its own, so it may mount without any privilege outside it; a mount namespace
 * where the work folder is bound to itself and every other mount is made read-only, so that folder
 * is the only place it can write (the repository, the home folder, /tmp and the template cache
 * included); a PID namespace with its own /proc, so it cannot read another process's environment.
 * The hook itself runs in a second, nested user namespace: mounts copied into a namespace owned by
 * a less privileged user namespace are locked (mount_namespaces(7)), so it cannot remount them
 * writable or unmount the bind that hides them. A network namespace of its own, with no interface
 * up (not even loopback), so it cannot reach the network, the machine's own services or the
 * addresses inside the operator's network. Reading files stays possible.
 *
 * The setup script's arguments: the work folder, then the command. Setup tools come from the
 * system's own folders; the hook gets the PATH it was given.
 */
const SETUP = `set -eu
work=$1; shift
hook_path=$PATH
PATH=/usr/sbin:/usr/bin:/sbin:/bin
here=$PWD
mount --bind "$work" "$work"
awk '{ print $2 }' /proc/self/mounts | sort -r | while IFS= read -r escaped; do
  mount_point=$(printf '%b' "$escaped")
  case "$mount_point" in "$work"|/proc|/proc/*) continue ;; esac
  mount -o remount,bind,ro "$mount_point" || { echo "cannot make $mount_point read-only" >&2; exit 125; }
done
nested=$(command -v unshare)
cd "$here"
PATH=$hook_path exec "$nested" --user --map-current-user --mount -- "$@"
`;

const OUTER = ['--user', '--map-root-user', '--mount', '--pid', '--net', '--fork', '--kill-child', '--mount-proc'];
export const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** The command line that runs `command` confined to `work` (the folder holding the hook's output folder and scripts). */
export type Confine = (work: string, command: readonly string[]) => string[];

const exec = promisify(execFile);

/**
 * How hooks are confined here, tried once with a folder of its own as a hook would be; refused
 * with one clear message where they cannot be: hooks never run unconfined.
 */
export async function confinement(): Promise<Confine> {
  const unshare = await found('unshare', SYSTEM_PATH);
  const confine: Confine = (work, command) => [unshare ?? 'unshare', ...OUTER, '--', 'sh', '-c', SETUP, 'td-confine', work, ...command];
  const work = await mkdtemp(join(tmpdir(), 'td-confine-'));
  try {
    const [command, ...args] = confine(work, ['true']);
    await exec(command!, args, { cwd: work, env: { PATH: SYSTEM_PATH }, timeout: 10_000 });
    return confine;
  } catch (error) {
    const said = ((error as { stderr?: string }).stderr || (error as Error).message).trim().split('\n').slice(-2).join(' ');
    throw new UserError(
      'The template has hooks, and they run only confined to a temporary folder, which this machine does not allow ' +
      `(${said}). That needs Linux with unprivileged user namespaces and util-linux's unshare (in a container, one that allows them and mounts inside them)`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Where the executable `name` is among PATH's folders, if anywhere. */
export async function found(name: string, path: string | undefined): Promise<string | undefined> {
  for (const folder of (path ?? '').split(delimiter).filter(Boolean)) {
    const file = join(folder, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return undefined;
}
