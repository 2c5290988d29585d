import { ANSWERS_FILE } from './answers-file.js';
import { sameFile, type FileEntry, type FileMap } from './file-map.js';

export interface OnboardingInput {
  /** The template repository's files at the release the repository was made from, as "Use this template" copied them. */
  readonly raw: FileMap;
  /** The same release rendered with the repository's answers. */
  readonly output: FileMap;
  /** The repository's files at the paths of both. */
  readonly ours: FileMap;
}

export interface OnboardingPlan {
  readonly writes: Map<string, FileEntry>;
  readonly deletes: readonly string[];
  /** Rendered paths written where the repository had nothing. */
  readonly added: readonly string[];
  /** Paths still as the template repository had them, replaced by their rendering. */
  readonly replaced: readonly string[];
  /** Raw template files (sources, template.yml, excluded files) removed. */
  readonly removed: readonly string[];
  /** Paths a person changed since the copy: kept as they are (the first update merges them). */
  readonly kept: readonly string[];
}

/**
 * Renders a copied template in place, touching only what is still the template's copy:
 * a rendered path the repository lacks is added; one still exactly the template repository's
 * file is replaced by its rendering; a raw file the rendering does not produce (`x.hbs`,
 * `{{service_name}}/…`, template.yml, excluded files) is removed when it is still the copy.
 * Anything a person changed since is kept and reported, as `init` keeps existing files.
 */
export function planOnboarding(input: OnboardingInput): OnboardingPlan {
  const writes = new Map<string, FileEntry>();
  const added: string[] = [];
  const replaced: string[] = [];
  const removed: string[] = [];
  const kept: string[] = [];
  for (const [path, entry] of [...input.output].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ours = input.ours.get(path);
    if (!ours) {
      writes.set(path, entry);
      added.push(path);
    } else if (sameFile(ours, entry)) {
      continue;
    } else if (sameFile(ours, input.raw.get(path))) {
      writes.set(path, entry);
      replaced.push(path);
    } else {
      kept.push(path);
    }
  }
  for (const [path, entry] of [...input.raw].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (input.output.has(path) || path === ANSWERS_FILE || !input.ours.has(path)) continue;
    if (sameFile(input.ours.get(path), entry)) removed.push(path);
    else kept.push(path);
  }
  return { writes, deletes: removed, added, replaced, removed, kept };
}
