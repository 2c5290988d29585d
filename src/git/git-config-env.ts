/**
 * Git configuration passed in the environment (GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n,
 * GIT_CONFIG_VALUE_n), never in argv where `ps` shows it. Several sources of configuration
 * (credentials, the app's restrictions) are merged into one numbered list, since each would
 * otherwise start at 0 and the last one given would silently replace the others.
 * https://git-scm.com/docs/git-config#Documentation/git-config.txt-GITCONFIGCOUNT
 */
export type ConfigEntry = readonly [key: string, value: string];

export function configEnv(entries: readonly ConfigEntry[]): Record<string, string> {
  if (entries.length === 0) return {};
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

/** The configuration entries an environment carries. */
export function configEntries(env: Readonly<Record<string, string>>): ConfigEntry[] {
  const count = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  const entries: ConfigEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    const key = env[`GIT_CONFIG_KEY_${index}`];
    if (key !== undefined) entries.push([key, env[`GIT_CONFIG_VALUE_${index}`] ?? '']);
  }
  return entries;
}

/** Environments in order, later values winning, with their configuration lists joined. */
export function mergeGitEnv(...envs: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const env of envs) {
    for (const [key, value] of Object.entries(env)) {
      if (!/^GIT_CONFIG_(COUNT|KEY_\d+|VALUE_\d+)$/.test(key)) merged[key] = value;
    }
  }
  return { ...merged, ...configEnv(envs.flatMap((env) => configEntries(env))) };
}

/**
 * How git runs for the app, where remote addresses come from answers files people write:
 * - only `protocols` (GIT_ALLOW_PROTOCOL wins over any protocol.allow in config files), so
 *   file://, ssh://, git:// and ext:: stay off in git itself, whatever a URL says;
 * - no credential helper and no askpass program: nothing on the server hands out a password,
 *   and with GIT_TERMINAL_PROMPT=0 nothing waits for one;
 * - no redirects: a host that answers with one is an error, never a hop to another address.
 */
export function restrictedGitEnv(protocols: readonly string[]): Record<string, string> {
  return {
    GIT_ALLOW_PROTOCOL: protocols.join(':'),
    GIT_TERMINAL_PROMPT: '0',
    ...configEnv([
      // An empty value empties the list of helpers configured so far (system, global).
      ['credential.helper', ''],
      ['core.askPass', ''],
      ['http.followRedirects', 'false'],
    ]),
  };
}
