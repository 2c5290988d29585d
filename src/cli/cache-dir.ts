import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the CLI keeps what it can rebuild (template objects, V8's code cache):
 * TEMPLATE_DRIFT_CACHE_DIR, else $XDG_CACHE_HOME/template-drift, else ~/.cache/template-drift.
 * Its own module with no imports beyond Node's, because the start-up loader reads it too.
 */
export function cacheDirOf(env: NodeJS.ProcessEnv): string {
  return env.TEMPLATE_DRIFT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'template-drift');
}
