import { describe, expect, it } from 'vitest';
import { renderContext, resolveVariables } from '../../src/engine/resolve-variables.js';
import { parseManifest } from '../../src/engine/template-manifest.js';

const repo = { owner: 'acme', name: 'payments-api' };

const manifest = parseManifest(`
name: svc
variables:
  service_name:
    description: Python package name
    default: "{{snake repo.name}}"
    pattern: "[a-z][a-z0-9_]*"
  image: { default: "ghcr.io/{{repo.owner}}/{{service_name}}" }
  log_level: { default: INFO, choices: [DEBUG, INFO, WARNING] }
  replicas: { default: 2 }
  use_redis: { default: false }
`);

describe('variable values', () => {
  it('fall back to defaults, which are templates that may use earlier variables and repo', () => {
    const resolved = resolveVariables(manifest, { repo });
    expect(resolved.values).toEqual({
      service_name: 'payments_api',
      image: 'ghcr.io/acme/payments_api',
      log_level: 'INFO',
      replicas: 2,
      use_redis: false,
    });
    expect(resolved.defaulted).toEqual(['service_name', 'image', 'log_level', 'replicas', 'use_redis']);
  });

  it('come from the answers file before defaults, and later defaults see the answers', () => {
    const resolved = resolveVariables(manifest, { repo, answers: { service_name: 'billing', replicas: 5 } });
    expect(resolved.values).toMatchObject({ service_name: 'billing', image: 'ghcr.io/acme/billing', replicas: 5 });
    expect(resolved.defaulted).not.toContain('service_name');
    expect(resolved.defaulted).not.toContain('replicas');
  });

  it('come from --var when the answers file does not have them, read by the variable type', () => {
    const resolved = resolveVariables(manifest, { repo, overrides: { log_level: 'DEBUG', replicas: '3', use_redis: 'yes' } });
    expect(resolved.values).toMatchObject({ log_level: 'DEBUG', replicas: 3, use_redis: true });
  });

  it('treat a null answer as unanswered', () => {
    expect(resolveVariables(manifest, { repo, answers: { log_level: null } }).values.log_level).toBe('INFO');
  });

  it('read a YAML number answer as text for a string variable (python_version: 3.12)', () => {
    const versions = parseManifest('name: t\nvariables:\n  python_version: { choices: ["3.12", "3.13"] }\n');
    expect(resolveVariables(versions, { repo, answers: { python_version: 3.12 } }).values.python_version).toBe('3.12');
  });

  it('are what templates see, with repo.name and repo.owner', () => {
    const context = renderContext(resolveVariables(manifest, { repo }), repo);
    expect(context).toMatchObject({ service_name: 'payments_api', repo: { owner: 'acme', name: 'payments-api' } });
  });
});

describe('invalid variable values', () => {
  const strict = parseManifest(`
name: svc
variables:
  service_name: { pattern: "[a-z][a-z0-9_]*", description: Python package }
  log_level: { default: INFO, choices: [DEBUG, INFO] }
  replicas: { default: 1 }
`);

  it('fail a value that does not match the pattern, naming variable, value and pattern', () => {
    expect(() => resolveVariables(strict, { repo, overrides: { service_name: 'Bad-Name' } })).toThrow(
      /"service_name" is "Bad-Name" but must match \[a-z\]\[a-z0-9_\]\*/,
    );
  });

  it('check answers from the answers file as strictly as --var', () => {
    expect(() => resolveVariables(strict, { repo, answers: { service_name: 'ok', log_level: 'TRACE' } })).toThrow(
      /"log_level" is "TRACE" but must be one of: DEBUG, INFO/,
    );
  });

  it('fail a required variable nobody answered, with its description', () => {
    expect(() => resolveVariables(strict, { repo })).toThrow(/"service_name" is required \(Python package\)/);
  });

  it('fail a default that renders to a value breaking the pattern', () => {
    const derived = parseManifest('name: t\nvariables:\n  pkg: { default: "{{repo.name}}", pattern: "[a-z_]+" }\n');
    expect(() => resolveVariables(derived, { repo })).toThrow(/"pkg" is "payments-api" but must match/);
  });

  it('fail a value of the wrong type', () => {
    expect(() => resolveVariables(strict, { repo, overrides: { service_name: 'ok', replicas: 'many' } })).toThrow(/"replicas" must be a number, not "many"/);
    expect(() => resolveVariables(strict, { repo, answers: { service_name: ['a', 'b'] } })).toThrow(/"service_name" must be a single value, not a list/);
  });

  it('report every problem at once', () => {
    expect(() => resolveVariables(strict, { repo, overrides: { log_level: 'TRACE', replicas: 'x' } })).toThrow(
      /"service_name" is required.*"log_level" is "TRACE".*"replicas" must be a number/,
    );
  });

  it('refuse --var for a variable the template does not declare', () => {
    expect(() => resolveVariables(strict, { repo, overrides: { service_name: 'ok', colour: 'red' } })).toThrow(/does not declare: colour/);
  });

  it('refuse a default that uses an undeclared variable, naming the variable', () => {
    const broken = parseManifest('name: t\nvariables:\n  a: { default: "{{later}}" }\n  later: { default: x }\n');
    expect(() => resolveVariables(broken, { repo })).toThrow(/default of variable "a": line 1: "later" is not a declared variable/);
  });

  it('refuse a template declaring a variable called repo', () => {
    expect(() => resolveVariables(parseManifest('name: t\nvariables:\n  repo: { default: x }\n'), { repo })).toThrow(/"repo" is reserved/);
  });
});
