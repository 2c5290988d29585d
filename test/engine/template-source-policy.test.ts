import { describe, expect, it } from 'vitest';
import {
  allowedSourcesText, gitProtocols, judgeTemplateSource, parseAllowedHosts, requireAllowedSource, type SourcePolicy,
} from '../../src/engine/template-source-policy.js';
import { UserError } from '../../src/engine/user-error.js';

const GITHUB: SourcePolicy = { serverUrl: 'https://github.com', allowedHosts: ['gitlab.example.com'] };
const GHE_HTTP: SourcePolicy = { serverUrl: 'http://127.0.0.1:3000', allowedHosts: [] };

type Row = readonly [source: string, expected: string];

/** `github owner/repo`, `url URL`, or `refused: <the reason>`. */
function verdict(source: string, policy: SourcePolicy): string {
  const decision = judgeTemplateSource(source, policy);
  if (!decision.allowed) return `refused: ${decision.reason}`;
  return decision.kind === 'github' ? `github ${decision.owner}/${decision.repo}` : `url ${decision.url}`;
}

/** Accepted rows must match exactly; refused rows name a part of the reason. */
function expectVerdict(source: string, policy: SourcePolicy, expected: string): void {
  const actual = verdict(source, policy);
  if (!expected.startsWith('refused: ')) {
    expect(actual).toBe(expected);
    return;
  }
  expect(actual.startsWith('refused: '), actual).toBe(true);
  expect(actual).toContain(expected.slice('refused: '.length));
}

const onGitHub: Row[] = [
  // What the app accepts.
  ['acme/service-template', 'github acme/service-template'],
  ['acme/service-template.git', 'github acme/service-template'],
  ['Acme/Service_Template.v2', 'github Acme/Service_Template.v2'],
  ['https://github.com/acme/tpl.git', 'github acme/tpl'],
  ['https://github.com/acme/tpl', 'github acme/tpl'],
  ['https://github.com/acme/tpl/', 'github acme/tpl'],
  ['HTTPS://GITHUB.COM/acme/tpl.git', 'github acme/tpl'],
  ['https://GitHub.com:443/acme/tpl.git', 'github acme/tpl'],
  ['https://gitlab.example.com/group/sub/tpl.git', 'url https://gitlab.example.com/group/sub/tpl.git'],
  ['HTTPS://GitLab.Example.COM/group/tpl.git', 'url https://gitlab.example.com/group/tpl.git'],
  ['https://gitlab.example.com:443/group/tpl.git', 'url https://gitlab.example.com/group/tpl.git'],
  // Local to the server.
  ['file:///srv/cache/templates/0123456789abcdef01234567', 'refused: file:// is not fetched'],
  ['FILE:///etc', 'refused: file:// is not fetched'],
  ['/srv/git/secret.git', 'refused: local paths'],
  ['./templates/django-service', 'refused: local paths'],
  ['../other-service', 'refused: local paths'],
  ['~/templates/x', 'refused: local paths'],
  ['templates\\django-service', 'refused: backslash'],
  // Other transports.
  ['ssh://git@github.com/acme/tpl.git', 'refused: ssh:// is not fetched'],
  ['ssh://127.0.0.1:2222/x', 'refused: ssh:// is not fetched'],
  ['git://github.com/acme/tpl.git', 'refused: git:// is not fetched'],
  ['git+ssh://github.com/acme/tpl.git', 'refused: git+ssh:// is not fetched'],
  ['git@github.com:acme/tpl.git', 'refused: scp-style'],
  ['github.com:acme/tpl.git', 'refused: scp-style'],
  ['ext::sh -c touch% /tmp/pwned', 'refused: transport helpers'],
  ['EXT::sh', 'refused: transport helpers'],
  ['fd::3', 'refused: transport helpers'],
  // Option injection and name tricks.
  ['-uhttps://github.com/acme/tpl', 'refused: starts with "-"'],
  ['--upload-pack=touch /tmp/x', 'refused: whitespace'],
  ['acme/tpl/../secret', 'refused: neither owner/repo'],
  ['acme/..', 'refused: neither owner/repo'],
  ['acme/.git', 'refused: neither owner/repo'],
  ['acme/a..b', 'refused: neither owner/repo'],
  ['-acme/tpl', 'refused: starts with "-"'],
  ['acme', 'refused: neither owner/repo'],
  ['acme/tpl%2f..', 'refused: neither owner/repo'],
  // A folder of that name on the app's own disk (the app's checkout has one) changes nothing:
  // the policy never looks at the disk, and owner/repo is always a repository on the GitHub.
  ['templates/django-service', 'github templates/django-service'],
  ['', 'refused: empty'],
  [`acme/${'x'.repeat(2000)}`, 'refused: too long'],
  // Other hosts, and hosts that only look like ours.
  ['https://evil.example/acme/tpl.git', 'refused: evil.example is not the GitHub'],
  ['https://github.com.evil.com/acme/tpl.git', 'refused: github.com.evil.com is not the GitHub'],
  ['https://github.com@evil.example/acme/tpl.git', 'refused: user name or credentials'],
  ['https://x-access-token:abc@github.com/acme/tpl.git', 'refused: user name or credentials'],
  ['https://evil.example/#@github.com/acme/tpl.git', 'refused: query or fragment'],
  ['https://github.com/acme/tpl.git?x=1', 'refused: query or fragment'],
  ['https://github.com./acme/tpl.git', 'refused: host name is malformed'],
  ['https://gitlab.example.com./group/tpl.git', 'refused: host name is malformed'],
  ['https://[::1]/acme/tpl.git', 'refused: IP address literals'],
  ['https://127.0.0.1/acme/tpl.git', 'refused: 127.0.0.1 is not the GitHub'],
  ['https://2130706433/acme/tpl.git', 'refused: read differently'],
  ['https://0x7f.1/acme/tpl.git', 'refused: read differently'],
  ['https://github.com:8443/acme/tpl.git', 'refused: github.com:8443 is not the GitHub'],
  ['https://gitlab.example.com:8443/group/tpl.git', 'refused: https port only'],
  ['https://github.com:99999/acme/tpl.git', 'refused: not a valid URL'],
  ['http://github.com/acme/tpl.git', 'refused: github.com is not the GitHub'],
  ['http://gitlab.example.com/group/tpl.git', 'refused: https:// only'],
  ['http://169.254.169.254/latest/meta-data/iam/security-credentials/#', 'refused: query or fragment'],
  ['http://169.254.169.254/latest/meta-data/', 'refused: 169.254.169.254 is not the GitHub'],
  // Paths the same host might resolve somewhere else.
  ['https://github.com/acme/tpl/../../evil/tpl.git', 'refused: `.` or `..` segments'],
  ['https://github.com/acme/%2e%2e/tpl.git', 'refused: percent-escapes'],
  ['https://github.com//acme/tpl.git', 'refused: `.` or `..` segments or an empty one'],
  ['https://github.com/api/v3/repos/acme/tpl', 'refused: must be https://github.com/owner/repo(.git)'],
  ['https://github.com/acme/tpl.git/info/refs', 'refused: must be https://github.com/owner/repo(.git)'],
  // Whatever git or a terminal would read differently.
  [' acme/tpl', 'refused: whitespace'],
  ['acme/tpl\n', 'refused: whitespace'],
  ['acme/tpl\u0000', 'refused: control characters'],
  ['https://github.com/acme/tpl\u001b[2J', 'refused: control characters'],
  ['acme/tp\u0142', 'refused: non-ASCII'],
  ['https://gith\u00fcb.com/acme/tpl', 'refused: non-ASCII'],
];

const onHttpEnterprise: Row[] = [
  ['acme/tpl', 'github acme/tpl'],
  ['http://127.0.0.1:3000/acme/tpl.git', 'github acme/tpl'],
  ['HTTP://127.0.0.1:3000/acme/tpl.git', 'github acme/tpl'],
  ['http://127.0.0.1:3001/latest/meta-data/', 'refused: 127.0.0.1:3001 is not the GitHub'],
  ['http://127.0.0.1:3001/latest/meta-data/#', 'refused: query or fragment'],
  ['https://127.0.0.1:3000/acme/tpl.git', 'refused: 127.0.0.1:3000 is not the GitHub'],
  ['http://localhost:3000/acme/tpl.git', 'refused: localhost:3000 is not the GitHub'],
  ['http://127.0.0.1/acme/tpl.git', 'refused: 127.0.0.1 is not the GitHub'],
  // On the served host, two segments are owner/repo, read through the API like any other.
  ['http://127.0.0.1:3000/latest/meta-data', 'github latest/meta-data'],
  ['http://127.0.0.1:3000/latest/meta-data/iam', 'refused: must be http://127.0.0.1:3000/owner/repo(.git)'],
];

describe('which template sources the app fetches', () => {
  it.each(onGitHub)('on github.com: %j → %s', (source, expected) => {
    expectVerdict(source, GITHUB, expected);
  });

  it.each(onHttpEnterprise)('on an http:// Enterprise: %j → %s', (source, expected) => {
    expectVerdict(source, GHE_HTTP, expected);
  });

  it('accepts other hosts only when they are listed', () => {
    expect(verdict('https://gitlab.example.com/group/tpl.git', { ...GITHUB, allowedHosts: [] })).toContain('refused: gitlab.example.com is not the GitHub');
    expect(verdict('https://codeberg.org/x/tpl.git', { ...GITHUB, allowedHosts: ['codeberg.org'] })).toBe('url https://codeberg.org/x/tpl.git');
  });

  it('refuses with one message that names the source safely and says what is allowed', () => {
    let error: unknown;
    try {
      requireAllowedSource('https://x-access-token:ghs_secret@evil.example/acme/tpl.git', GITHUB);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).not.toContain('ghs_secret');
    expect(message).toContain('user name or credentials');
    expect(message).toContain('`owner/repo`, or a clone URL https://github.com/owner/repo.git');
    expect(message).toContain('gitlab.example.com (TEMPLATE_DRIFT_ALLOWED_HOSTS)');
    expect(requireAllowedSource('acme/tpl', GITHUB)).toEqual({ allowed: true, kind: 'github', owner: 'acme', repo: 'tpl' });
  });

  it('never echoes control characters', () => {
    expect(() => requireAllowedSource('acme/tpl\u001b[2J\u0007', GITHUB)).toThrow(/"acme\/tpl\\u001b\[2J\\u0007"/);
  });

  it('says what is allowed even with no hosts listed', () => {
    expect(allowedSourcesText(GHE_HTTP)).toBe('The app reads templates only from the GitHub it serves: `owner/repo`, or a clone URL '
      + 'http://127.0.0.1:3000/owner/repo.git. Local paths, file://, ssh://, git://, scp-style addresses and other hosts are refused.');
  });
});

describe('TEMPLATE_DRIFT_ALLOWED_HOSTS', () => {
  it('is a comma-separated list of host names, compared without letter case', () => {
    expect(parseAllowedHosts(undefined)).toEqual([]);
    expect(parseAllowedHosts('')).toEqual([]);
    expect(parseAllowedHosts(' GitLab.Example.com , codeberg.org,')).toEqual(['gitlab.example.com', 'codeberg.org']);
  });

  it.each(['https://gitlab.example.com', 'gitlab.example.com:8443', 'gitlab.example.com/group', '*.example.com', 'gitlab.example.com.', 'a b'])(
    'refuses %j at start-up', (entry) => {
      expect(() => parseAllowedHosts(entry)).toThrow(/not a host name/);
    });
});

describe('the protocols git may speak for the app', () => {
  it('is https, and http only when the served GitHub is http', () => {
    expect(gitProtocols(GITHUB)).toEqual(['https']);
    expect(gitProtocols(GHE_HTTP)).toEqual(['https', 'http']);
  });
});
