import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CookiecutterJinja } from '../../../src/engine/cookiecutter/jinja-env.js';
import { RenderBudget } from '../../../src/engine/render-budget.js';
import { UserError } from '../../../src/engine/user-error.js';

interface Cases {
  readonly context: Record<string, unknown>;
  readonly cases: readonly { readonly template: string; readonly expected?: string; readonly error?: string; readonly ownWords?: true }[];
}

// What Jinja2 itself rendered, written by jinja-python-cases.py beside this file (run it again
// with Debian's /usr/bin/python3, which has jinja2, after adding a case).
const { context, cases } = JSON.parse(readFileSync(new URL('./jinja-python-cases.json', import.meta.url), 'utf8')) as Cases;

describe('Python methods and formatting render as Jinja2 renders them', () => {
  const jinja = new CookiecutterJinja({ repository: 'acme/svc', committedAt: new Date('2024-03-05T14:30:00Z') }, {}, new RenderBudget());
  afterAll(() => jinja.close());
  const render = (template: string) => jinja.render(template, context, 'f.txt', 'file:f.txt');

  it.each(cases.filter((c) => c.error === undefined).map((c) => [c.template, c.expected!] as const))('%s', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it.each(cases.filter((c) => c.error !== undefined).map((c) => [c.template, c] as const))('%s is a template error', (template, testCase) => {
    expect(() => render(template)).toThrow(UserError);
    // Python's own message for a formatting mistake; minijinja words the others its own way.
    if (!testCase.ownWords) expect(() => render(template)).toThrow(`f.txt: ${testCase.error}`);
  });
});
