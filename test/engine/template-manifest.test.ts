import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/engine/template-manifest.js';
import { UserError } from '../../src/engine/user-error.js';

describe('template.yml', () => {
  it('reads name, root, variables in declaration order and file rules', () => {
    const manifest = parseManifest(`
name: django-service
root: ./files/
variables:
  service_name:
    description: The service's Python package
    pattern: "[a-z][a-z0-9_]*"
  python_version: { default: "3.12", choices: ["3.12", "3.13"] }
  replicas: { default: 2 }
  use_redis: { default: false }
files:
  exclude: ["docs/**"]
  scaffold: ["{{service_name}}/**"]
  enforce: [Dockerfile]
  merge: ["*.toml"]
`);
    expect(manifest.name).toBe('django-service');
    expect(manifest.root).toBe('files');
    expect(manifest.variables.map((v) => [v.name, v.type])).toEqual([
      ['service_name', 'string'],
      ['python_version', 'string'],
      ['replicas', 'number'],
      ['use_redis', 'boolean'],
    ]);
    expect(manifest.variables[0]?.description).toBe("The service's Python package");
    expect(manifest.variables[0]?.default).toBeUndefined();
    expect(manifest.variables[1]?.choices).toEqual(['3.12', '3.13']);
    expect(manifest.files).toEqual({ exclude: ['docs/**'], scaffold: ['{{service_name}}/**'], enforce: ['Dockerfile'], merge: ['*.toml'] });
  });

  it('anchors a pattern so the whole value must match', () => {
    const [spec] = parseManifest('name: t\nvariables:\n  x: { pattern: "[a-z]+" }\n').variables;
    expect(spec?.pattern?.test('abc')).toBe(true);
    expect(spec?.pattern?.test('abc1')).toBe(false);
  });

  it('defaults to the repository root, no variables and no rules', () => {
    const manifest = parseManifest('name: minimal\n');
    expect(manifest).toEqual({ name: 'minimal', root: '', variables: [], files: { exclude: [], scaffold: [], enforce: [], merge: [] } });
  });

  it('accepts a variable declared with no settings at all (required, string)', () => {
    expect(parseManifest('name: t\nvariables:\n  owner_team:\n').variables).toEqual([{ name: 'owner_team', type: 'string' }]);
  });
});

describe('an invalid template.yml', () => {
  const failures: [string, string, RegExp][] = [
    ['is not YAML', 'name: [unclosed\n', /template\.yml is not valid YAML/],
    ['has no name', 'root: x\n', /template\.yml is invalid: name/],
    ['has an unknown top-level key', 'name: t\nvarables: {}\n', /template\.yml is invalid/],
    ['has an unknown variable setting', 'name: t\nvariables:\n  x: { defualt: 1 }\n', /template\.yml is invalid: variables\.x/],
    ['has an unknown file list', 'name: t\nfiles:\n  ignore: [x]\n', /template\.yml is invalid: files/],
    ['names a variable with a dash', 'name: t\nvariables:\n  my-var: {}\n', /variables\.my-var/],
    ['has a pattern that is no regular expression', 'name: t\nvariables:\n  x: { pattern: "([a-z" }\n', /variable "x" has an invalid pattern/],
    ['has a root outside the repository', 'name: t\nroot: ../elsewhere\n', /root "\.\.\/elsewhere" must be a folder inside/],
    ['has an absolute root', 'name: t\nroot: /etc\n', /must be a folder inside/],
    ['has a root inside .git', 'name: t\nroot: .git/hooks\n', /must be a folder inside/],
  ];

  it.each(failures)('is refused when it %s', (_what, text, message) => {
    expect(() => parseManifest(text)).toThrow(UserError);
    expect(() => parseManifest(text)).toThrow(message);
  });
});
