import { MAX_RENDER_MB_SETTING, MAX_RENDER_S_SETTING, renderLimits, type RenderLimits } from '../engine/render-budget.js';
import type { SnapshotRenderer } from '../engine/render-snapshot.js';
import { GitMergeFile } from '../git/git-merge-file.js';
import { locateTemplate, tokenAuthEnv, type TemplateLocation } from '../git/template-location.js';
import { TemplateStore } from '../git/template-store.js';
import type { TemplateRepository } from '../git/template-store.js';
import { sandboxedRenderer } from '../sandbox/sandboxed-renderer.js';
import { HOOK_TIMEOUT_SETTING, hookRunner, hookTimeoutSeconds, TRUST_HOOKS_SETTING } from '../hooks/run-hooks.js';
import type { HooksPolicy } from '../workflows/template-hooks.js';
import { cacheDirOf } from './cache-dir.js';
import type { Output } from './output.js';

/** What every command takes from the process environment, read in one place. */
export interface CliEnvironment {
  readonly cwd: string;
  readonly cacheDir: string;
  readonly token?: string;
  readonly serverUrl: string;
  /** `GITHUB_API_URL` (as GitHub Actions sets it): the REST API `scan` reads; api.github.com by default. */
  readonly apiUrl: string;
  /** Bounds on rendering a template version, from `TEMPLATE_DRIFT_MAX_RENDER_MB` and `_S` as in the app. */
  readonly renderLimits?: RenderLimits;
  /** `TEMPLATE_DRIFT_TRUST_HOOKS=1`: run templates' hooks, as `--trust` does. */
  readonly trustHooks?: boolean;
  /** What hooks see of the environment (PATH, locale) and how long each may run. */
  readonly hookEnv?: Readonly<Record<string, string | undefined>>;
  readonly hookTimeoutSeconds?: number;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  return {
    cwd: process.cwd(),
    cacheDir: cacheDirOf(env),
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    renderLimits: renderLimits(env[MAX_RENDER_MB_SETTING], env[MAX_RENDER_S_SETTING]),
    trustHooks: /^(1|true|yes)$/i.test(env[TRUST_HOOKS_SETTING] ?? ''),
    hookEnv: env,
    hookTimeoutSeconds: hookTimeoutSeconds(env[HOOK_TIMEOUT_SETTING]),
    ...(token && { token }),
  };
}

/** Opens a template for a command: located, authenticated for its host, cached by commit; `beforeFetch` must pass before anything is downloaded. */
export async function openTemplate(
  source: string,
  baseDir: string,
  environment: CliEnvironment,
  output: Output,
  beforeFetch?: () => Promise<void>,
): Promise<{ location: TemplateLocation; repository: TemplateRepository }> {
  const location = locateTemplate(source, { baseDir, serverUrl: environment.serverUrl });
  // GITHUB_TOKEN is for the GitHub server only: an answers file (say, in a pull request run by
  // CI) that names another host must not be sent the token.
  const token = sameOrigin(location.url, environment.serverUrl) ? environment.token : undefined;
  const store = new TemplateStore({
    cacheDir: environment.cacheDir,
    env: tokenAuthEnv(location.url, token),
    secrets: environment.token ? [environment.token] : [],
    onProgress: (message) => output.progress(message),
    ...(beforeFetch && { beforeFetch }),
  });
  return { location, repository: await store.open(location) };
}

function sameOrigin(url: string, serverUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(serverUrl).origin;
  } catch {
    return false; // a local path or scp-style address: no HTTPS token applies
  }
}

export const merger = new GitMergeFile();

/** How commands render a template version: within the render limits, cookiecutter in a render process as in the app. */
export function rendererOf(environment: CliEnvironment): SnapshotRenderer {
  return sandboxedRenderer(environment.renderLimits);
}

/** Hooks run only with `--trust` or TEMPLATE_DRIFT_TRUST_HOOKS=1; otherwise the command exits 2 naming them and the flag. */
export function hooksPolicy(environment: CliEnvironment, trust: boolean | undefined): HooksPolicy {
  const refusal = (files: readonly string[]) =>
    `The template runs hooks (${files.join(', ')}): they are the template's own code and would run on this machine. ` +
    `Pass --trust (or set ${TRUST_HOOKS_SETTING}=1) to run them`;
  if (!trust && !environment.trustHooks) return { refusal };
  const timeout = environment.hookTimeoutSeconds;
  return { refusal, run: hookRunner({ env: environment.hookEnv ?? process.env, ...(timeout !== undefined && { timeoutSeconds: timeout }) }) };
}
