import picomatch from 'picomatch';
import type { FileRules } from './template-manifest.js';

/** How the update treats one output path. `ignore` comes from the repository's answers file. */
export type FilePolicy = 'exclude' | 'ignore' | 'scaffold' | 'enforce' | 'merge';

export type PolicyOf = (path: string) => FilePolicy;

const matchOptions: picomatch.PicomatchOptions = { dot: true };

/** Renders one glob of the list named (in the template's own dialect) with the variables. */
export type RenderGlob = (glob: string, list: string) => string;

/**
 * Builds the function that gives each output path its policy. Globs are rendered with the
 * variables first, in the template's dialect (`{{service_name}}/**`), and matched against OUTPUT
 * paths. Precedence: exclude, then the repository's ignore list, then scaffold, enforce, merge;
 * no match is merge. (Handlebars' own is in render-template.ts, so that a cookiecutter render
 * process does not load Handlebars.)
 */
export function policyMatcherWith(rules: FileRules, ignore: readonly string[], renderGlob: RenderGlob): PolicyOf {
  const compile = (globs: readonly string[], list: string) => {
    // A conditional glob (`{{#if x}}a{{/if}}`) may render to nothing: then it matches nothing.
    const rendered = globs.map((glob) => renderGlob(glob, list).trim()).filter(Boolean);
    return rendered.length === 0 ? () => false : picomatch(rendered, matchOptions);
  };
  const ordered: [FilePolicy, (path: string) => boolean][] = [
    ['exclude', compile(rules.exclude, 'exclude')],
    ['ignore', ignore.length === 0 ? () => false : picomatch([...ignore], matchOptions)],
    ['scaffold', compile(rules.scaffold, 'scaffold')],
    ['enforce', compile(rules.enforce, 'enforce')],
  ];
  return (path) => ordered.find(([, matches]) => matches(path))?.[0] ?? 'merge';
}
