import { describe, expect, it } from 'vitest';
import { createAnswersText, parseAnswers, updateAnswersText } from '../../src/engine/answers-file.js';
import { UserError } from '../../src/engine/user-error.js';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

describe('reading the answers file', () => {
  it('reads template, version, commit, variables and ignore', () => {
    const answers = parseAnswers(`template: acme/service-template
version: v1.2.0
commit: ${SHA_A}
variables:
  service_name: payments
  replicas: 3
ignore: [".github/CODEOWNERS"]
`);
    expect(answers).toEqual({
      template: 'acme/service-template',
      version: 'v1.2.0',
      commit: SHA_A,
      variables: { service_name: 'payments', replicas: 3 },
      ignore: ['.github/CODEOWNERS'],
      prereleases: false,
    });
  });

  it('needs only the template; empty variables and ignore are allowed', () => {
    expect(parseAnswers('template: ../tpl\nvariables:\nignore:\n')).toEqual({ template: '../tpl', variables: {}, ignore: [], prereleases: false });
  });

  it.each([
    ['is not YAML', 'template: x\nvariables: [\n', /template-drift\.yml is not valid YAML/],
    ['has no template', 'version: v1\n', /template-drift\.yml is invalid: template/],
    ['has an abbreviated commit', `template: x\ncommit: abc123\n`, /commit: must be a full commit SHA/],
    ['has ignore that is not a list', 'template: x\nignore: "*.md"\n', /ignore/],
  ])('is refused with a message naming the file when it %s', (_what, text, message) => {
    expect(() => parseAnswers(text)).toThrow(UserError);
    expect(() => parseAnswers(text)).toThrow(message);
  });
});

describe('rewriting the answers file after an update', () => {
  const original = `# How payments was made. Ask #platform before editing.
template: acme/service-template # the company template
version: v1.0.0
commit: ${SHA_A}
variables:
  service_name: payments # never rename
  replicas: 3
ignore:
  - docs/**
owner_team: billing
`;

  it('changes version and commit only, keeping other keys, order and comments', () => {
    const text = updateAnswersText(original, { version: 'v1.1.0', commit: SHA_B, newVariables: {} });
    expect(text).toBe(original.replace('v1.0.0', 'v1.1.0').replace(SHA_A, SHA_B));
  });

  it('records new variables with their defaults and never rewrites existing answers', () => {
    const text = updateAnswersText(original, { version: 'v2.0.0', commit: SHA_B, newVariables: { log_level: 'INFO', replicas: 1, use_redis: false } });
    const answers = parseAnswers(text);
    expect(answers.variables).toEqual({ service_name: 'payments', replicas: 3, log_level: 'INFO', use_redis: false });
    expect(text).toContain('service_name: payments # never rename');
    expect(text).toContain('# How payments was made. Ask #platform before editing.');
    expect(text).toContain('owner_team: billing');
  });

  it('sets changed answers (update --var) in place, keeping the comment beside each', () => {
    const text = updateAnswersText(original, { version: 'v1.0.0', commit: SHA_A, newVariables: {}, setVariables: { service_name: 'billing', replicas: 5, use_redis: true } });
    expect(text).toBe(original.replace('service_name: payments # never rename', 'service_name: billing # never rename').replace('replicas: 3', 'replicas: 5\n  use_redis: true'));
    expect(parseAnswers(text).variables).toEqual({ service_name: 'billing', replicas: 5, use_redis: true });
  });

  it('adds a variables mapping when the file had none', () => {
    const text = updateAnswersText(`template: x\nversion: v1\ncommit: ${SHA_A}\n`, { version: 'v2', commit: SHA_B, newVariables: { a: 'b' } });
    expect(parseAnswers(text)).toMatchObject({ version: 'v2', commit: SHA_B, variables: { a: 'b' } });
  });

  it('adds version and commit to a hand-written file without them', () => {
    expect(parseAnswers(updateAnswersText('template: x\n', { version: 'v1.0.0', commit: SHA_B, newVariables: {} }))).toMatchObject({ version: 'v1.0.0', commit: SHA_B });
  });

  it('refuses a file that is not a mapping', () => {
    expect(() => updateAnswersText('- a\n- b\n', { version: 'v1', commit: SHA_B, newVariables: {} })).toThrow(/cannot be rewritten/);
  });
});

describe('the answers file init writes', () => {
  it('reads back as what was written, with a comment for people', () => {
    const text = createAnswersText({ template: '/srv/tpl', version: 'v1.0.0', commit: SHA_A, variables: { service_name: 'pay', replicas: 2, debug: false } });
    expect(text.startsWith('#')).toBe(true);
    expect(parseAnswers(text)).toEqual({ template: '/srv/tpl', version: 'v1.0.0', commit: SHA_A, variables: { service_name: 'pay', replicas: 2, debug: false }, ignore: [], prereleases: false });
  });
});
