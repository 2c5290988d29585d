import { createHash } from 'node:crypto';
import { Document, isMap, isScalar, parseDocument } from 'yaml';
import { parseYamlWith } from './parse-yaml.js';
import * as z from './schema.js';
import type { AnswerValue } from './template-manifest.js';
import { UserError } from './user-error.js';

/** Where each service repository records how it was made from its template. */
export const ANSWERS_FILE = '.github/template-drift.yml';

const answersSchema = z.looseObject({
  /** The template: a clone URL, `owner/repo`, a file:// URL or a local path. */
  template: z.string().check(z.minLength(1)),
  /** The template ref last applied (written by the tool). */
  version: z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
  /** The commit that ref resolved to: the base of the next update (written by the tool). */
  commit: z.optional(z.string().check(z.regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a full commit SHA'))),
  /** This repository's answers to the template's variables. */
  variables: z._default(z.nullable(z.record(z.string(), z.unknown())), {}),
  /** Globs of output paths this repository opts out of. */
  ignore: z._default(z.nullable(z.array(z.string().check(z.minLength(1)))), []),
  /** Whether template prereleases may be offered to this repository. */
  prereleases: z._default(z.boolean(), false),
  /** A digest of the variables an update applied without changing `commit` (written by the tool). */
  applied: z.optional(z.string()),
});

export interface Answers {
  readonly template: string;
  readonly version?: string;
  readonly commit?: string;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly ignore: readonly string[];
  readonly prereleases: boolean;
  readonly applied?: string;
}

export function parseAnswers(text: string): Answers {
  const raw = parseYamlWith(text, answersSchema, ANSWERS_FILE);
  return {
    template: raw.template,
    ...(raw.version !== undefined && { version: raw.version }),
    ...(raw.commit !== undefined && { commit: raw.commit }),
    variables: raw.variables ?? {},
    ignore: raw.ignore ?? [],
    prereleases: raw.prereleases,
    ...(raw.applied !== undefined && { applied: raw.applied }),
  };
}

export interface AnswersUpdate {
  readonly version: string;
  readonly commit: string;
  /** Variables to record (new variables' defaults); existing answers are never rewritten. */
  readonly newVariables: Readonly<Record<string, AnswerValue>>;
  /** Answers a person changed (`update --var`): written over the old value, its comments kept. */
  readonly setVariables?: Readonly<Record<string, AnswerValue>>;
  /**
   * The update applies answers that differ from the ones `commit` was recorded with. When
   * `commit` stays the same, the file's history alone cannot tell this write from a person's
   * later edit, so the tool records a digest of what it applied (`applied`).
   */
  readonly answersChanged?: boolean;
}

/**
 * Rewrites `version`, `commit`, adds new variables and sets changed answers, keeping every other
 * key and the comments a person wrote (the yaml Document API edits the parsed tree, not the text).
 */
export function updateAnswersText(text: string, update: AnswersUpdate): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new UserError(`${ANSWERS_FILE} cannot be rewritten: it is not a YAML mapping`);
  }
  const sameCommit = doc.get('commit') === update.commit;
  doc.set('version', update.version);
  doc.set('commit', update.commit);
  const set = update.setVariables ?? {};
  const names = [...Object.keys(update.newVariables), ...Object.keys(set)];
  if (names.length > 0 && !isMap(doc.get('variables'))) doc.set('variables', doc.createNode({}));
  for (const [name, value] of Object.entries(update.newVariables)) {
    if (!doc.hasIn(['variables', name])) doc.setIn(['variables', name], value);
  }
  for (const [name, value] of Object.entries(set)) {
    const node = doc.getIn(['variables', name], true);
    // Changing the scalar in place keeps the comment beside it (`service_name: billing # who owns it`).
    if (isScalar(node)) node.value = value;
    else doc.setIn(['variables', name], value);
  }
  if (!sameCommit) {
    // A new `commit` starts a new run of versions in the history, whose oldest is this write.
    doc.delete('applied');
  } else if (update.answersChanged) {
    doc.set('applied', answersDigest(parseAnswers(doc.toString()).variables));
  }
  return doc.toString();
}

/**
 * Whether these answers are exactly what the tool last applied: `applied` is present and still
 * matches the variables (a person's edit since then changes the variables, not the digest).
 */
export function isAsApplied(answers: Answers): boolean {
  return answers.applied !== undefined && answers.applied === answersDigest(answers.variables);
}

/** A short digest of variables, independent of key order and YAML formatting. */
export function answersDigest(variables: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(canonicalJson(variables)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface NewAnswers {
  readonly template: string;
  /** Absent when the ref is only the commit (a repository cruft made from a template's default branch). */
  readonly version?: string;
  readonly commit: string;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly ignore?: readonly string[];
}

/** The answers file `init` writes. */
export function createAnswersText(answers: NewAnswers): string {
  const doc = new Document({
    template: answers.template,
    ...(answers.version !== undefined && { version: answers.version }),
    commit: answers.commit,
    variables: answers.variables,
    ...(answers.ignore && answers.ignore.length > 0 && { ignore: answers.ignore }),
  });
  doc.commentBefore =
    ' Written by template-drift: how this repository was made from its template.\n' +
    ' `version` and `commit` are updated by the tool; edit `variables` and `ignore` as you need.';
  return doc.toString();
}
