import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { REGULAR, type FileEntry } from '../../src/engine/file-map.js';
import { inferAnswers } from '../../src/engine/infer-answers.js';
import { formatOnboardingMarker, onboardingAnswersText, readOnboardingMarker } from '../../src/engine/onboarding-text.js';
import { planOnboarding } from '../../src/engine/plan-onboarding.js';
import { parseManifest } from '../../src/engine/template-manifest.js';

const manifest = parseManifest(`name: t
variables:
  service_name: { pattern: "^[a-z][a-z0-9_]*$" }
  project_slug: { pattern: "^[a-z][a-z0-9-]*$" }
  app_name: {}
  region_name: { choices: [eu, us] }
  team: { description: the owning team }
  log_level: { default: INFO }
`);

const file = (text: string): FileEntry => ({ content: Buffer.from(text), mode: REGULAR });

describe('answers inferred for a repository made with "Use this template"', () => {
  it('a required, name-like variable takes the repository name in the first form its pattern accepts; defaults stay defaults', () => {
    const inferred = inferAnswers(manifest, 'Billing-API');
    expect(inferred.answers).toEqual({ service_name: 'billing_api', project_slug: 'billing-api', app_name: 'Billing-API' });
    expect(inferred.sources).toMatchObject({ service_name: 'repository name', project_slug: 'repository name', app_name: 'repository name', log_level: 'default' });
  });

  it('a required variable that is not name-like, or whose choices the name fails, is a question', () => {
    const inferred = inferAnswers(manifest, 'billing');
    expect(inferred.questions.map((spec) => spec.name)).toEqual(['region_name', 'team']);
    expect(inferred.sources).toMatchObject({ region_name: 'question', team: 'question' });
  });

  it('answers a person gave (the onboarding branch\'s answers file) win, and close the question', () => {
    const inferred = inferAnswers(manifest, 'billing', { team: 'payments', region_name: 'eu', service_name: 'billing_core', log_level: null });
    expect(inferred.questions).toEqual([]);
    expect(inferred.answers).toMatchObject({ team: 'payments', region_name: 'eu', service_name: 'billing_core' });
    expect(inferred.sources).toMatchObject({ team: 'answers file', service_name: 'answers file', log_level: 'default' });
  });
});

describe('the onboarding plan', () => {
  it('adds what is missing, renders what is still the copy, removes raw files still as copied, and keeps what a person changed', () => {
    const raw = new Map([
      ['template.yml', file('name: t\n')], ['Dockerfile.hbs', file('FROM {{x}}\n')], ['README.md', file('template docs\n')],
      ['Makefile', file('test:\n')], ['{{name}}/app.py.hbs', file('edited later\n')], ['.github/template-drift.yml', file('template: other\n')],
    ]);
    const output = new Map([['Dockerfile', file('FROM y\n')], ['README.md', file('# svc\n')], ['Makefile', file('test:\n')], ['svc/app.py', file('app\n')], ['LICENSE', file('MIT\n')]]);
    const ours = new Map([
      ...raw, ['{{name}}/app.py.hbs', file('a person edited this\n')], ['LICENSE', file('Apache\n')],
    ]);
    const plan = planOnboarding({ raw, output, ours });
    expect(plan.added).toEqual(['Dockerfile', 'svc/app.py']);
    expect(plan.replaced).toEqual(['README.md']);
    expect(plan.removed).toEqual(['Dockerfile.hbs', 'template.yml']);
    expect(plan.kept).toEqual(['LICENSE', '{{name}}/app.py.hbs']);
    expect(plan.deletes).toEqual(plan.removed);
    expect([...plan.writes.keys()].sort()).toEqual(['Dockerfile', 'README.md', 'svc/app.py']);
  });
});

describe('the onboarding texts', () => {
  it('the answers file records every value, and each question as an empty value saying what it asks', () => {
    const [team] = inferAnswers(manifest, 'billing').questions.filter((spec) => spec.name === 'team');
    const text = onboardingAnswersText({ template: 'acme/t', version: 'v1.0.0', commit: 'a'.repeat(40), variables: { service_name: 'billing' }, questions: [team!] });
    expect(text).toContain('team: null # question: the owning team');
    expect(parseAnswers(text)).toMatchObject({ template: 'acme/t', version: 'v1.0.0', commit: 'a'.repeat(40), variables: { service_name: 'billing', team: null } });
  });

  it('the marker reads back, and text that is no marker reads as none', () => {
    const marker = { template: 'acme/t', version: 'v1.0.0', head: 'b'.repeat(40) };
    expect(readOnboardingMarker(`body\n\n${formatOnboardingMarker(marker)}`)).toEqual(marker);
    expect(readOnboardingMarker('<!-- template-drift-onboarding {"template":1} -->')).toBeUndefined();
    expect(readOnboardingMarker('<!-- template-drift-update {"template":"a","to":"v1"} -->')).toBeUndefined();
  });
});
