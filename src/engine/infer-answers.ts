import { kebabCase, snakeCase } from 'change-case';
import type { TemplateManifest, VariableSpec, VariableValue } from './template-manifest.js';

/** Where an onboarding answer came from, as the PR body says it. */
export type AnswerSource = 'answers file' | 'repository name' | 'default' | 'question';

export interface InferredAnswers {
  /** The answers to write: given ones, and the repository's name for name-like variables. Defaults stay out (they are rendered). */
  readonly answers: Readonly<Record<string, VariableValue>>;
  readonly sources: Readonly<Record<string, AnswerSource>>;
  /** Required variables nobody could answer: the onboarding PR asks, and stays a draft. */
  readonly questions: readonly VariableSpec[];
}

/** `service_name`, `project_slug`, `name`: a variable whose value is naturally the repository's name. */
const NAME_LIKE = /(^|_)(name|slug)$/i;

/**
 * Answers for a repository made with "Use this template", which has none: what a person already
 * wrote (the onboarding branch's answers file), else for a required, name-like string variable
 * the repository's name as it is, in snake_case or in kebab-case (the first that its pattern and
 * choices accept), else its default. A required variable left without a value is a question.
 */
export function inferAnswers(manifest: TemplateManifest, repoName: string, given: Readonly<Record<string, unknown>> = {}): InferredAnswers {
  const answers: Record<string, VariableValue> = {};
  const sources: Record<string, AnswerSource> = {};
  const questions: VariableSpec[] = [];
  for (const spec of manifest.variables) {
    const value = given[spec.name];
    if (value !== undefined && value !== null && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      answers[spec.name] = value;
      sources[spec.name] = 'answers file';
    } else if (spec.default !== undefined) {
      sources[spec.name] = 'default';
    } else {
      const name = NAME_LIKE.test(spec.name) && spec.type === 'string' ? nameCandidates(repoName).find((candidate) => accepts(spec, candidate)) : undefined;
      if (name === undefined) {
        questions.push(spec);
        sources[spec.name] = 'question';
      } else {
        answers[spec.name] = name;
        sources[spec.name] = 'repository name';
      }
    }
  }
  return { answers, sources, questions };
}

function nameCandidates(repoName: string): string[] {
  return [...new Set([repoName, snakeCase(repoName), kebabCase(repoName)])].filter((name) => name !== '');
}

function accepts(spec: VariableSpec, value: string): boolean {
  if (spec.pattern && !spec.pattern.test(value)) return false;
  return !spec.choices || spec.choices.some((choice) => String(choice) === value);
}
