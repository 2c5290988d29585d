import { describe, expect, it } from 'vitest';
import { policyMatcher } from '../../src/engine/render-template.js';
import type { FileRules } from '../../src/engine/template-manifest.js';
import { UserError } from '../../src/engine/user-error.js';

const none: FileRules = { exclude: [], scaffold: [], enforce: [], merge: [] };

describe('the policy of an output path', () => {
  it('is merge when no list matches it', () => {
    const policyOf = policyMatcher({ ...none, enforce: ['Dockerfile'] }, {});
    expect(policyOf('README.md')).toBe('merge');
    expect(policyOf('src/app.py')).toBe('merge');
  });

  it('follows exclude > ignore > scaffold > enforce > merge when several lists match', () => {
    const everything = ['**'];
    const rules: FileRules = { exclude: ['secret/**'], scaffold: ['src/**', 'ci/**'], enforce: everything, merge: everything };
    const policyOf = policyMatcher(rules, {}, ['ci/**', 'secret/**']);
    expect(policyOf('secret/key')).toBe('exclude');
    expect(policyOf('ci/build.yml')).toBe('ignore');
    expect(policyOf('src/main.py')).toBe('scaffold');
    expect(policyOf('Dockerfile')).toBe('enforce');

    const mergeOnly = policyMatcher({ ...none, merge: everything }, {});
    expect(mergeOnly('Dockerfile')).toBe('merge');
  });

  it('matches dotfiles and files in dot folders', () => {
    const policyOf = policyMatcher({ ...none, enforce: ['**/*.yml', '*'] }, {});
    expect(policyOf('.github/workflows/ci.yml')).toBe('enforce');
    expect(policyOf('.editorconfig')).toBe('enforce');
  });

  it('matches the ignore list against dotfiles too', () => {
    expect(policyMatcher(none, {}, ['.github/**'])('.github/CODEOWNERS')).toBe('ignore');
  });

  it('renders globs with the variables before matching output paths', () => {
    const policyOf = policyMatcher({ ...none, scaffold: ['{{service_name}}/**'], exclude: ['{{#unless use_docker}}Dockerfile{{/unless}}'] }, { service_name: 'payments', use_docker: false });
    expect(policyOf('payments/models.py')).toBe('scaffold');
    expect(policyOf('{{service_name}}/models.py')).toBe('merge');
    expect(policyOf('Dockerfile')).toBe('exclude');
  });

  it('refuses a glob naming an undeclared variable, naming the list and the glob', () => {
    expect(() => policyMatcher({ ...none, enforce: ['{{nope}}/**'] }, {})).toThrow(UserError);
    expect(() => policyMatcher({ ...none, enforce: ['{{nope}}/**'] }, {})).toThrow(/files\.enforce glob "\{\{nope\}\}\/\*\*".*"nope" is not a declared variable/);
  });
});
