import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/git/redact.js';
import { locateTemplate, tokenAuthEnv } from '../../src/git/template-location.js';
import { tempDir } from '../support/temp-repo.js';

const TOKEN = 'ghs_secret123';
const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('redact', () => {
  it('removes the userinfo of URLs, whatever the scheme', () => {
    expect(redact("fatal: unable to access 'https://x-access-token:abc@github.com/o/r.git/'")).toBe("fatal: unable to access 'https://***@github.com/o/r.git/'");
    expect(redact('ssh://git:pw@host/r and http://user@h/x')).toBe('ssh://***@host/r and http://***@h/x');
  });

  it('removes a known secret in plain and in base64 forms, wherever it appears', () => {
    const text = `token ${TOKEN}; header Authorization: Basic ${base64(`x-access-token:${TOKEN}`)}; raw ${base64(TOKEN)}`;
    const redacted = redact(text, [TOKEN]);
    expect(redacted).toMatch(/^token \*\*\*; header Authorization: Basic \S*\*\*\*; raw \*\*\*$/);
    for (const form of [TOKEN, base64(TOKEN), base64(`x-access-token:${TOKEN}`)]) expect(redacted).not.toContain(form);
  });

  it('leaves text without credentials alone, and ignores secrets too short to be tokens', () => {
    expect(redact('fatal: repository not found: https://github.com/o/r.git', [TOKEN])).toBe('fatal: repository not found: https://github.com/o/r.git');
    expect(redact('a b c', ['a'])).toBe('a b c');
  });
});

describe('tokenAuthEnv', () => {
  it('authenticates through git config variables scoped to the template host', () => {
    const env = tokenAuthEnv('https://github.com/acme/private-template.git', TOKEN);
    expect(env).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://github.com/.extraheader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${base64(`x-access-token:${TOKEN}`)}`,
    });
  });

  it('never puts the plain token anywhere, so it cannot show in argv, URLs or errors', () => {
    expect(JSON.stringify(tokenAuthEnv('https://ghe.example.com/a/b.git', TOKEN))).not.toContain(TOKEN);
  });

  it('scopes the header to the origin, port included', () => {
    expect(tokenAuthEnv('https://ghe.example.com:8443/a/b.git', TOKEN).GIT_CONFIG_KEY_0).toBe('http.https://ghe.example.com:8443/.extraheader');
  });

  it('adds nothing without a token or for templates not fetched over HTTP(S)', () => {
    expect(tokenAuthEnv('https://github.com/a/b.git', undefined)).toEqual({});
    expect(tokenAuthEnv('https://github.com/a/b.git', '')).toEqual({});
    expect(tokenAuthEnv('git@github.com:a/b.git', TOKEN)).toEqual({});
    expect(tokenAuthEnv('/srv/templates/b', TOKEN)).toEqual({});
    expect(tokenAuthEnv('file:///srv/templates/b', TOKEN)).toEqual({});
  });
});

describe('locating a template', () => {
  it('reads owner/repo as a repository on the GitHub server', () => {
    expect(locateTemplate('acme/service-template', { baseDir: '/nowhere' }).url).toBe('https://github.com/acme/service-template.git');
    expect(locateTemplate('acme/tpl.git', { baseDir: '/nowhere', serverUrl: 'https://ghe.example.com/' }).url).toBe('https://ghe.example.com/acme/tpl.git');
  });

  it('prefers a local folder that happens to look like owner/repo', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'templates/django'), { recursive: true });
    expect(locateTemplate('templates/django', { baseDir: dir }).url).toBe(join(dir, 'templates/django'));
  });

  it('keeps URLs and scp-style addresses, and makes local paths absolute', () => {
    expect(locateTemplate('file:///srv/tpl', { baseDir: '/x' }).url).toBe('file:///srv/tpl');
    expect(locateTemplate('git@github.com:acme/tpl.git', { baseDir: '/x' }).url).toBe('git@github.com:acme/tpl.git');
    expect(locateTemplate('../tpl', { baseDir: '/work/svc' }).url).toBe('/work/tpl');
    expect(locateTemplate('/srv/tpl', { baseDir: '/work/svc' }).url).toBe('/srv/tpl');
  });

  it('reads an option-like source as a path, never as a git option', () => {
    expect(locateTemplate('--upload-pack=touch /tmp/pwned', { baseDir: '/work' }).url).toBe('/work/--upload-pack=touch /tmp/pwned');
  });

  it('displays the location without credentials', () => {
    const location = locateTemplate(`https://x-access-token:${TOKEN}@github.com/acme/tpl.git`, { baseDir: '/' });
    expect(location.url).toContain(TOKEN);
    expect(location.display).toBe('https://***@github.com/acme/tpl.git');
  });
});
