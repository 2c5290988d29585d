import type { Answers } from './answers-file.js';
import * as z from './schema.js';
import type { AnswerValue } from './template-manifest.js';
import { UserError } from './user-error.js';

/** Where cruft records how a repository was made from a cookiecutter template. */
export const CRUFT_FILE = '.cruft.json';

/** `.cruft.json` as `cruft create` writes it; other keys (`directory`, a later cruft's) are kept as they are. */
const cruftSchema = z.looseObject({
  template: z.string().check(z.minLength(1)),
  commit: z.string().check(z.regex(/^[0-9a-f]{40}$/, 'must be a full commit SHA')),
  checkout: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  context: z.looseObject({ cookiecutter: z.record(z.string(), z.unknown()) }),
  skip: z.optional(z.array(z.string().check(z.minLength(1)))),
  directory: z.optional(z.nullable(z.string())),
});

/**
 * `.cruft.json` read as answers: `template`, `commit` (the base), `checkout` (the ref cruft
 * follows, recorded as the version), the answers of `context.cookiecutter` (without the `_`
 * entries, which are the template's, as cruft passes them back to cookiecutter), and `skip`
 * as `ignore` (a skipped folder skips what is in it).
 */
export function parseCruftState(text: string): Answers {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${CRUFT_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = cruftSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${CRUFT_FILE}: ${issue?.path.join('.') || 'the file'} ${issue?.message ?? 'is not valid'}`);
  }
  const state = parsed.data;
  if (state.directory) {
    throw new UserError(`${CRUFT_FILE} names the template folder "${state.directory}" inside its repository; template-drift renders templates at their repository's root only`);
  }
  const variables = Object.fromEntries(Object.entries(state.context.cookiecutter).filter(([name]) => !name.startsWith('_')));
  return {
    template: state.template,
    commit: state.commit,
    ...(state.checkout && { version: state.checkout }),
    variables,
    ignore: (state.skip ?? []).flatMap((path) => {
      const trimmed = path.replace(/^\.\/+/, '').replace(/\/+$/, '');
      return [trimmed, `${trimmed}/**`];
    }),
    prereleases: false,
  };
}

export interface CruftUpdate {
  readonly commit: string;
  /** Every variable as cookiecutter computed it at the new commit, private ones included. */
  readonly variables: Readonly<Record<string, AnswerValue>>;
}

/**
 * `.cruft.json` after an update, as `cruft update` writes it: the new `commit` and the new
 * context (`{"cookiecutter": {...every variable..., "_template": template}}`), every other key
 * where it was, then cruft's own JSON (two-space indent, `": "`, non-ASCII as it is, a final
 * newline). A `_commit` entry (written by later cruft versions) follows the commit.
 */
export function updateCruftText(text: string, update: CruftUpdate): string {
  const state = JSON.parse(text) as Record<string, unknown> & { template: string; context: { cookiecutter: Record<string, unknown> } };
  const before = state.context.cookiecutter;
  const cookiecutter: Record<string, unknown> = { ...update.variables, _template: state.template };
  if ('_commit' in before) cookiecutter._commit = update.commit;
  state.commit = update.commit;
  state.context = { ...state.context, cookiecutter };
  return cruftJson(state);
}

/** Python's `json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": "))` and a newline, which is what cruft writes. */
export function cruftJson(state: unknown): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}
