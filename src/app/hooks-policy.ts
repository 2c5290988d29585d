import { hookRunner, TRUST_HOOKS_SETTING } from '../hooks/run-hooks.js';
import type { HooksPolicy } from '../workflows/template-hooks.js';
import type { AppSettings } from './settings.js';

/**
 * Templates' hooks run in the app only when its operator sets TEMPLATE_DRIFT_TRUST_HOOKS=true,
 * confined to a temporary folder with the allow-listed environment (the app's PATH and locale,
 * none of its tokens or keys) and TEMPLATE_DRIFT_HOOK_TIMEOUT_S. Otherwise the refusal is the
 * repository's "action required" issue, saying what to ask for.
 */
export function appHooksPolicy(settings: Pick<AppSettings, 'trustHooks' | 'hookTimeoutSeconds'>, env: NodeJS.ProcessEnv = process.env): HooksPolicy {
  const refusal = (files: readonly string[]) =>
    `The template runs hooks (${files.join(', ')}): its own code, which this app runs only when its operator allows it ` +
    `(${TRUST_HOOKS_SETTING}=true), and this app's operator has not. Ask them to allow it if you trust the template's authors, ` +
    'or update this repository from a checkout with `template-drift update --trust`.';
  if (!settings.trustHooks) return { refusal };
  return { refusal, run: hookRunner({ env, ...(settings.hookTimeoutSeconds !== undefined && { timeoutSeconds: settings.hookTimeoutSeconds }) }) };
}
