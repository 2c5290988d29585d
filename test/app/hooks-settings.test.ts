import { describe, expect, it } from 'vitest';
import { appHooksPolicy } from '../../src/app/hooks-policy.js';
import { readSettings } from '../../src/app/settings.js';

describe('TEMPLATE_DRIFT_TRUST_HOOKS and TEMPLATE_DRIFT_HOOK_TIMEOUT_S in the app', () => {
  it('runs hooks only for exactly `true`: unset, 1, yes or TRUE keep them off, and the refusal says who can allow them', () => {
    expect(appHooksPolicy(readSettings({ TEMPLATE_DRIFT_TRUST_HOOKS: 'true' })).run).toBeTypeOf('function');
    for (const off of [undefined, '', '1', 'yes', 'TRUE', 'false']) {
      const policy = appHooksPolicy(readSettings(off === undefined ? {} : { TEMPLATE_DRIFT_TRUST_HOOKS: off }));
      expect(policy.run, String(off)).toBeUndefined();
      expect(policy.refusal(['hooks/post_gen_project.py'])).toMatch(/runs hooks \(hooks\/post_gen_project\.py\).*TEMPLATE_DRIFT_TRUST_HOOKS=true.*operator has not/);
    }
  });

  it('gives each hook 60 seconds unless told otherwise; an unreadable value is the default', () => {
    expect(readSettings({}).hookTimeoutSeconds).toBe(60);
    expect(readSettings({ TEMPLATE_DRIFT_HOOK_TIMEOUT_S: '5' }).hookTimeoutSeconds).toBe(5);
    for (const bad of ['', 'soon', '-1', '0']) expect(readSettings({ TEMPLATE_DRIFT_HOOK_TIMEOUT_S: bad }).hookTimeoutSeconds, bad).toBe(60);
  });
});
