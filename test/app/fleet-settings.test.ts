import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/app/settings.js';

describe('the fleet views\' settings', () => {
  it('the dashboard body limit is GitHub\'s unless TEMPLATE_DRIFT_DASHBOARD_MAX_CHARS lowers it; it never raises it', () => {
    expect(readSettings({}).fleet?.dashboardMaxChars).toBeUndefined();
    expect(readSettings({ TEMPLATE_DRIFT_DASHBOARD_MAX_CHARS: '1500' }).fleet?.dashboardMaxChars).toBe(1500);
    for (const value of ['100000', '65536', '0', '-5', 'lots']) expect(readSettings({ TEMPLATE_DRIFT_DASHBOARD_MAX_CHARS: value }).fleet?.dashboardMaxChars, value).toBeUndefined();
  });

  it('the public URL loses its trailing slashes; the interval defaults to a minute', () => {
    expect(readSettings({ TEMPLATE_DRIFT_PUBLIC_URL: 'https://drift.example.com//' }).fleet?.publicUrl).toBe('https://drift.example.com');
    expect(readSettings({}).fleet).toMatchObject({ dashboardIssues: true, dashboardIntervalSeconds: 60 });
    expect(readSettings({ TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S: '1', TEMPLATE_DRIFT_DASHBOARD_ISSUE: 'false' }).fleet).toMatchObject({ dashboardIssues: false, dashboardIntervalSeconds: 1 });
  });
});
