import { describe, expect, it } from 'vitest';
import { rolloutNote, waveOf } from '../../src/engine/rollout.js';
import { parseManifest } from '../../src/engine/template-manifest.js';

const manifest = (rollout: string) => parseManifest(`name: t\nrollout: ${rollout}\n`);

describe('rollout: in template.yml', () => {
  it('reads the canaries and the wait; the wait is 24h when absent; no rollout, no waves', () => {
    expect(manifest('{ canary: [acme/payments, acme/Billing], wait: 30m }').rollout).toEqual({ canary: ['acme/payments', 'acme/Billing'], wait: '30m', waitMs: 1_800_000 });
    expect(manifest('{ canary: [acme/payments] }').rollout).toMatchObject({ wait: '24h', waitMs: 86_400_000 });
    expect(manifest('{ canary: [acme/payments], wait: 2d }').rollout?.waitMs).toBe(172_800_000);
    expect(parseManifest('name: t\n').rollout).toBeUndefined();
  });

  it.each([
    ['{ canary: [] }', 'template.yml is invalid: rollout.canary: list at least one canary repository as owner/repo'],
    ['{ canary: [payments] }', 'template.yml is invalid: rollout.canary.0: each canary is a repository written owner/repo'],
    ['{ canary: ["acme/pay ments"] }', 'template.yml is invalid: rollout.canary.0: each canary is a repository written owner/repo'],
    ['{ canary: [acme/payments], wait: 24 }', 'template.yml is invalid: rollout.wait: wait is a whole number and a unit (s, m, h or d), such as 30m, 24h or 2d, at most 14d'],
    ['{ canary: [acme/payments], wait: 1w }', 'template.yml is invalid: rollout.wait: wait is a whole number and a unit (s, m, h or d), such as 30m, 24h or 2d, at most 14d'],
    ['{ canary: [acme/payments], wait: 15d }', 'template.yml is invalid: rollout.wait: wait is a whole number and a unit (s, m, h or d), such as 30m, 24h or 2d, at most 14d'],
    ['{ canary: [acme/payments], wait: 0h }', 'template.yml is invalid: rollout.wait: wait is a whole number and a unit (s, m, h or d), such as 30m, 24h or 2d, at most 14d'],
    ['{ canary: [acme/payments], waves: 2 }', 'template.yml is invalid: rollout: Unrecognized key: "waves"'],
    ['[acme/payments]', 'template.yml is invalid: rollout: Invalid input: expected object, received array'],
  ])('refuses %s with one clear message', (rollout, message) => {
    expect(() => manifest(rollout)).toThrow(message);
  });

  it('puts a repository in the canary wave by name in any letter case, every other in the second', () => {
    const rollout = manifest('{ canary: [acme/Payments], wait: 24h }').rollout!;
    expect(waveOf(rollout, { owner: 'ACME', repo: 'payments' })).toBe('canary');
    expect(waveOf(rollout, { owner: 'acme', repo: 'billing' })).toBe('rest');
    expect(rolloutNote(rollout, 'canary', 'v1.1.0')).toContain('canary wave of `v1.1.0`');
    expect(rolloutNote(rollout, 'canary', 'v1.1.0')).toContain('or 24h after the release');
    expect(rolloutNote(rollout, 'rest', 'v1.1.0')).toContain('second wave of `v1.1.0`, after the canary repositories (`acme/Payments`)');
  });
});
