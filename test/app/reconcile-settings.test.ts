import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/app/settings.js';

describe('TEMPLATE_DRIFT_RECONCILE_HOURS', () => {
  it('is 6 by default, takes fractions (a test sets seconds), 0 turns the reconcile off, and anything unreadable is the default', () => {
    expect(readSettings({}).reconcileHours).toBe(6);
    expect(readSettings({ TEMPLATE_DRIFT_RECONCILE_HOURS: '0.001' }).reconcileHours).toBe(0.001);
    expect(readSettings({ TEMPLATE_DRIFT_RECONCILE_HOURS: '0' }).reconcileHours).toBe(0);
    for (const bad of ['', 'soon', '-1', 'Infinity']) expect(readSettings({ TEMPLATE_DRIFT_RECONCILE_HOURS: bad }).reconcileHours, bad).toBe(6);
  });
});
