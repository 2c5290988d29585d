import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The app's own settings, read once from the environment (Probot reads its own). */
export interface AppSettings {
  /** Where template repositories are cached, by commit. */
  readonly cacheDir: string;
  /** How many repositories are updated at the same time. */
  readonly concurrency: number;
  /** The identity of the app's commits; the app recognises its own commits by this email. */
  readonly committer: { readonly name: string; readonly email: string };
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const concurrency = Number(env.TEMPLATE_DRIFT_CONCURRENCY ?? '4');
  return {
    cacheDir: env.TEMPLATE_DRIFT_CACHE_DIR || join(tmpdir(), 'template-drift-cache'),
    concurrency: Number.isInteger(concurrency) && concurrency > 0 ? concurrency : 4,
    committer: {
      name: env.TEMPLATE_DRIFT_COMMITTER_NAME || 'template-drift[bot]',
      email: env.TEMPLATE_DRIFT_COMMITTER_EMAIL || 'template-drift[bot]@users.noreply.github.com',
    },
  };
}
