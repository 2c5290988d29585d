import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/app/settings.js';

describe('where the app may fetch from, read from its environment', () => {
  it('is github.com over https by default, with no other host', () => {
    const settings = readSettings({});
    expect(settings.templateSources).toEqual({ serverUrl: 'https://github.com', allowedHosts: [] });
    expect(settings.gitProtocols).toEqual(['https']);
  });

  it('follows GHE_HOST and GHE_PROTOCOL as Probot does, and lets git speak http only for an http server', () => {
    expect(readSettings({ GHE_HOST: 'ghe.example.com' }).templateSources?.serverUrl).toBe('https://ghe.example.com');
    const http = readSettings({ GHE_HOST: '127.0.0.1:3000', GHE_PROTOCOL: 'http' });
    expect(http.templateSources?.serverUrl).toBe('http://127.0.0.1:3000');
    expect(http.gitProtocols).toEqual(['https', 'http']);
  });

  it('takes TEMPLATE_DRIFT_ALLOWED_HOSTS as host names, and stops at start-up on anything else', () => {
    expect(readSettings({ TEMPLATE_DRIFT_ALLOWED_HOSTS: 'GitLab.example.com,codeberg.org' }).templateSources?.allowedHosts)
      .toEqual(['gitlab.example.com', 'codeberg.org']);
    expect(() => readSettings({ TEMPLATE_DRIFT_ALLOWED_HOSTS: 'http://gitlab.example.com' })).toThrow(/not a host name/);
  });
});
