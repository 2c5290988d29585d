import { isBinaryFileSync } from 'isbinaryfile';
import { blobId } from './blob-id.js';
import { SYMLINK } from './file-map.js';
import { codeFence as fence, escapeHtml, inlineCode } from './markdown-text.js';
import type { PlannedChange } from './plan-update.js';

export interface TemplateSideInput {
  /** The template repository's address on GitHub (also what `git fetch` takes). */
  readonly templateUrl: string;
  /** The template commit the update goes to, where the template's version lives. */
  readonly targetCommit?: string;
}

/** Characters of one file's text shown at most, and of all of them together: a PR body holds 65,536. */
export const TEXT_PER_FILE = 4_000;
export const TEXT_IN_ALL = 16_000;

/**
 * The template's version of each conflict that kept this repository's file without markers (a
 * binary or symlink changed on both sides, a file changed by the template but deleted here), for
 * the PR body: otherwise the reviewer would see only that the template changed it. Text comes in
 * a collapsed block, cut at a size the body can hold (the CLI gives the whole file); a binary
 * file as its blob id with the two commands that write it into a checkout of the PR branch. Template
 * content is untrusted: it stays inside a code fence longer than any backtick run in it.
 */
export function templateSideSection(changes: readonly PlannedChange[], input: TemplateSideInput): string | undefined {
  const kept = changes.filter((change) => change.conflict && change.outcome === 'kept-local' && change.theirs);
  if (kept.length === 0) return undefined;
  let budget = TEXT_IN_ALL;
  const blocks = kept.map((change) => {
    const theirs = change.theirs!;
    const summary = `<summary>The template's version of <code>${escapeHtml(change.path)}</code></summary>`;
    if (theirs.mode === SYMLINK) {
      return `<details>${summary}\n\nA symlink to ${inlineCode(theirs.content.toString('utf8'))}.\n\n</details>`;
    }
    if (isBinaryFileSync(theirs.content)) return `<details>${summary}\n\n${fetchNote(change.path, theirs.content, input)}\n\n</details>`;
    if (budget <= 0) return `<details>${summary}\n\nA text file of ${theirs.content.length.toLocaleString('en')} bytes, too long for this page. ${CLI_NOTE}\n\n</details>`;
    const text = theirs.content.toString('utf8');
    const shown = text.slice(0, Math.min(TEXT_PER_FILE, budget));
    budget -= shown.length;
    const cut = shown.length < text.length ? `\n\nCut at ${shown.length.toLocaleString('en')} of ${text.length.toLocaleString('en')} characters. ${CLI_NOTE}` : '';
    return `<details>${summary}\n\n${fence(shown)}${cut}\n\n</details>`;
  });
  return ['### The template\'s side of conflicts kept local', '',
    'These files kept this repository\'s version; here is what the template has. To take the template\'s version, write it over the file on this branch and push.',
    '', ...blocks].join('\n');
}

/** Rendered text may exist in no template commit, so the whole file comes from the CLI, which renders it. */
const CLI_NOTE = 'The whole file: run `template-drift update` in a checkout of the default branch; it writes the template\'s version beside the file as `<path>.template`.';

/** A binary file is copied from the template byte for byte, so its blob is in the template's history at the target. */
function fetchNote(path: string, content: Buffer, input: TemplateSideInput): string {
  const id = blobId(content);
  const commit = input.targetCommit ?? 'the target commit';
  return `A binary file of ${content.length.toLocaleString('en')} bytes, git blob \`${id}\` in the template at \`${commit}\`. To take it, in a checkout of this branch:\n\n` +
    fence(`git fetch ${input.templateUrl} ${input.targetCommit ?? '<commit>'}\ngit cat-file blob ${id} > ${shellQuote(path)}\n`, 'sh');
}

function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
