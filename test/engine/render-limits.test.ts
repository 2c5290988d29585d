import { describe, expect, it } from 'vitest';
import { renderLimits, type RenderLimits } from '../../src/engine/render-budget.js';
import { renderSnapshot, type SnapshotInput } from '../../src/engine/render-snapshot.js';
import { fileMap, texts, userErrorOf, type EntrySpec } from './file-maps.js';

const repo = { owner: 'acme', name: 'payments' };
const MANIFEST = 'name: svc\nvariables:\n  service_name: { default: "{{repo.name}}" }\n';
const small = (overrides: Partial<RenderLimits> = {}): RenderLimits => ({ ...renderLimits(), maxOutput: 1000, ...overrides });

function render(tree: Record<string, EntrySpec>, options: Partial<SnapshotInput> = {}) {
  return renderSnapshot({ files: fileMap(tree), ref: 'v1.0.0', repo, ...options });
}

const renderError = (tree: Record<string, EntrySpec>, options: Partial<SnapshotInput> = {}) => userErrorOf(() => render(tree, options));

/**
 * The attack from issue 7: each inline partial includes the one before it twice, so 30 levels
 * of a 16 KB leaf (17 KB of template) expand into 16 GB of output.
 */
function doubling(levels: number, leaf: string): string {
  let source = `{{#*inline "p0"}}${leaf}{{/inline}}`;
  for (let level = 1; level <= levels; level++) {
    source += `{{#*inline "p${level}"}}{{> p${level - 1}}}{{> p${level - 1}}}{{/inline}}`;
  }
  return `${source}{{> p${levels}}}`;
}

describe('the output limit of one template version', () => {
  it('reads TEMPLATE_DRIFT_MAX_RENDER_MB as megabytes, 100 when unset or not a positive number', () => {
    expect(renderLimits('2').maxOutput).toBe(2 * 1024 * 1024);
    expect(renderLimits('0.5').maxOutput).toBe(512 * 1024);
    for (const value of [undefined, '', '0', '-3', 'lots', '100MB']) expect(renderLimits(value).maxOutput).toBe(100 * 1024 * 1024);
  });

  it('reads TEMPLATE_DRIFT_MAX_RENDER_S as seconds, 5 when unset or not a positive number', () => {
    expect(renderLimits(undefined, '0.5').maxMilliseconds).toBe(500);
    expect(renderLimits('2', '30')).toMatchObject({ maxOutput: 2 * 1024 * 1024, maxMilliseconds: 30_000 });
    for (const value of [undefined, '', '0', '-3', 'soon', '5s']) expect(renderLimits(undefined, value).maxMilliseconds).toBe(5000);
  });

  it('stops nested inline partials at the default 100 MB, before building the output, with a message naming the limit', { timeout: 10_000 }, () => {
    const source = doubling(30, 'x'.repeat(16_000));
    expect(source.length).toBeLessThan(18_000);
    const heapBefore = process.memoryUsage().heapUsed;
    const error = renderError({ 'template.yml': MANIFEST, 'bomb.txt.hbs': source }, { limits: renderLimits() });
    expect(error.message).toMatch(/^bomb\.txt\.hbs: the template's output passed 100 MB, the render limit \(TEMPLATE_DRIFT_MAX_RENDER_MB\)/);
    // Counted piece by piece, the strings in flight stay near the limit, not at 16 GB.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(400 * 1024 * 1024);
  });

  it('counts all files of the version together, naming the file where the limit was passed', () => {
    const tree = { 'template.yml': MANIFEST, 'a.txt.hbs': 'a'.repeat(600), 'b.txt.hbs': '{{service_name}}'.repeat(40) };
    expect(texts(render(tree, { limits: small({ maxOutput: 1000 }) }).output)['a.txt']).toHaveLength(600);
    expect(renderError(tree, { limits: small({ maxOutput: 800 }) }).message).toMatch(/^b\.txt\.hbs: the template's output passed 800 characters/);
  });

  it('counts copied files and their paths as output too', () => {
    const copied = { 'template.yml': MANIFEST, 'blob.bin': Buffer.alloc(900), 'c.txt': 'c'.repeat(200) };
    expect(renderError(copied, { limits: small() }).message).toMatch(/^c\.txt: the template's output passed 1000 characters/);
    const paths = { 'template.yml': MANIFEST, [`${'d'.repeat(200)}/{{service_name}}.txt`]: '', [`${'e'.repeat(200)}/{{service_name}}{{service_name}}.txt`]: '' };
    expect(render(paths, { limits: small({ maxOutput: 450 }) }).output.size).toBe(2);
    expect(renderError(paths, { limits: small({ maxOutput: 420 }) }).message).toMatch(/^path of e+\/.*: the template's output passed 420 characters/);
  });

  it('counts what variable defaults render', () => {
    const manifest = `name: svc\nvariables:\n  big: { default: '${doubling(20, 'x'.repeat(100)).replaceAll("'", "''")}' }\n`;
    expect(renderError({ 'template.yml': manifest, 'a.txt': 'a' }, { limits: small({ maxOutput: 100_000 }) }).message).toMatch(
      /^default of variable "big": the template's output passed 100000 characters/,
    );
  });

  it('counts text the helpers make as they make it, even text that is never written', () => {
    const tree = { 'template.yml': MANIFEST, 'a.txt.hbs': '{{#if (upper service_name)}}{{/if}}'.repeat(200) };
    expect(renderError(tree, { limits: small() }).message).toMatch(/the template's output passed 1000 characters/);
  });

  it('counts each output once: nested blocks and partials do not count their text again', () => {
    const nested = '{{#*inline "p"}}{{#if true}}{{#with repo}}{{name}}{{/with}}{{/if}}{{/inline}}{{#if true}}{{#if true}}{{> p}}{{/if}}{{/if}}';
    const tree = { 'template.yml': MANIFEST, 'a.txt.hbs': `${nested}\n`.repeat(100) };
    // The file, its path, and the default of service_name ("{{repo.name}}").
    const limit = 'payments\n'.length * 100 + 'a.txt'.length + 'payments'.length;
    expect(texts(render(tree, { limits: small({ maxOutput: limit }) }).output)['a.txt']).toHaveLength(900);
    expect(() => render(tree, { limits: small({ maxOutput: limit - 1 }) })).toThrow(/output passed/);
  });
});

describe('time and nesting', () => {
  it('stops a template that runs and runs without writing anything, naming the time it took', () => {
    const error = renderError({ 'template.yml': MANIFEST, 'a.txt.hbs': doubling(60, '') }, { limits: small({ maxMilliseconds: 100 }) });
    expect(error.message).toMatch(/^a\.txt\.hbs: rendering took longer than 0\.1 s/);
  });

  it('stops {{#each}} nested over the variables, however little it writes', () => {
    const source = `${'{{#each @root}}'.repeat(40)}${'{{/each}}'.repeat(40)}`;
    const error = renderError({ 'template.yml': MANIFEST, 'a.txt.hbs': source }, { limits: small({ maxMilliseconds: 100 }) });
    expect(error.message).toMatch(/rendering took longer than 0\.1 s/);
  });

  it('stops a partial that includes itself with a UserError instead of overflowing the stack', () => {
    const error = renderError({ 'template.yml': MANIFEST, 'a.txt.hbs': '{{#*inline "me"}}x{{> me}}{{/inline}}{{> me}}' });
    expect(error.message).toMatch(/^a\.txt\.hbs: blocks and partials run more than 100 deep \(does a partial include itself\?\)/);
  });

  it.each([
    ['blocks', (n: number) => `${'{{#if true}}'.repeat(n)}x${'{{/if}}'.repeat(n)}`],
    ['subexpressions', (n: number) => `{{#if ${'(not '.repeat(n)}false${')'.repeat(n)}}}x{{/if}}`],
    ['an else-if chain', (n: number) => `{{#if false}}${'{{else if false}}'.repeat(n - 1)}{{else}}x{{/if}}`],
    ['closers hidden in a comment, then blocks', (n: number) => `{{!-- ${'{{/if}}'.repeat(500)} --}}${'{{#if true}}'.repeat(n)}x${'{{/if}}'.repeat(n)}`],
  ])('refuses %s nested deeper than any template needs, before Handlebars parses them', (_what, nested) => {
    const error = renderError({ 'template.yml': MANIFEST, 'a.txt.hbs': nested(101) });
    expect(error.message).toMatch(/^a\.txt\.hbs: blocks and subexpressions are nested more than 100 deep$/);
    expect(texts(render({ 'template.yml': MANIFEST, 'a.txt.hbs': nested(99) }).output)['a.txt']).toMatch(/^x?$/);
  });

  it('refuses a file with more Handlebars tokens than it parses in reasonable time', () => {
    const error = renderError({ 'template.yml': MANIFEST, 'a.txt.hbs': '{{service_name}}\n'.repeat(5_001) });
    expect(error.message).toMatch(/^a\.txt\.hbs: one file may hold at most 20000 Handlebars tokens; split it$/);
    expect(texts(render({ 'template.yml': MANIFEST, 'a.txt.hbs': '{{service_name}}\n'.repeat(4_000) }).output)['a.txt']).toHaveLength(9 * 4_000);
  });
});
