import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { strFormat } from '../../../src/engine/cookiecutter/python-format.js';
import { percentFormat } from '../../../src/engine/cookiecutter/python-percent.js';

interface Case {
  readonly kind: 'format' | 'percent';
  readonly template: string;
  readonly args?: unknown[];
  readonly kwargs?: Record<string, unknown>;
  readonly values?: unknown;
  readonly expected?: string;
  readonly error?: string;
}

// Python's own output, written by python-format-cases.py beside this file (run it again to
// regenerate after adding a case).
const cases = JSON.parse(readFileSync(new URL('./python-format-cases.json', import.meta.url), 'utf8')) as Case[];

/** A JSON value as minijinja hands it to JavaScript: dicts as Maps, None as undefined. */
function asMinijinja(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(asMinijinja);
  if (typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, asMinijinja(v)]));
  return value;
}

function run(testCase: Case): string {
  if (testCase.kind === 'percent') return percentFormat(testCase.template, asMinijinja(testCase.values));
  return strFormat(testCase.template, (testCase.args ?? []).map(asMinijinja), asMinijinja(testCase.kwargs ?? {}) as Map<string, unknown>);
}

const label = (c: Case) => `${c.template} ${c.kind === 'percent' ? '%' : '.format'} ${JSON.stringify(c.kind === 'percent' ? c.values : [c.args, c.kwargs])}`;

describe('Python formatting, case by case against Python 3', () => {
  it.each(cases.filter((c) => c.error === undefined).map((c) => [label(c), c] as const))('%s', (_, testCase) => {
    expect(run(testCase)).toBe(testCase.expected);
  });

  it.each(cases.filter((c) => c.error !== undefined).map((c) => [label(c), c] as const))('%s fails as Python does', (_, testCase) => {
    expect(() => run(testCase)).toThrow(testCase.error);
  });
});
