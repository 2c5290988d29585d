import Handlebars from 'handlebars';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderSnapshot } from '../../src/engine/render-snapshot.js';
import { fileMap, texts, userErrorOf } from './file-maps.js';

const repo = { owner: 'acme', name: 'payments' };
const MANIFEST = 'name: svc\nvariables:\n  service_name: { default: "{{repo.name}}" }\n';

function render(source: string): string {
  const { output } = renderSnapshot({ files: fileMap({ 'template.yml': MANIFEST, 'out.txt.hbs': source }), ref: 'v1.0.0', repo });
  return texts(output)['out.txt']!;
}

const renderError = (source: string): string => userErrorOf(() => render(source)).message;

/** Everything a template could write to the process: the console and both streams. */
function captureProcessOutput(): () => string {
  const written: string[] = [];
  const keep = (...args: unknown[]) => void written.push(args.map(String).join(' '));
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) vi.spyOn(console, method).mockImplementation(keep);
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
  }
  return () => written.join('\n');
}

describe('what a template cannot reach', () => {
  let processOutput: () => string;
  beforeEach(() => {
    // Handlebars warns once per denied property name, process-wide: start each test unwarned.
    (Handlebars as unknown as { resetLoggedPropertyAccesses(): void }).resetLoggedPropertyAccesses();
    processOutput = captureProcessOutput();
  });
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['{{log "SECRET-MARKER"}}'],
    ['{{log "SECRET-MARKER" level="error"}}'],
    ['{{#log "SECRET-MARKER"}}x{{/log}}'],
  ])('%s fails, saying the log helper is disabled, and writes nothing', (source) => {
    expect(renderError(source)).toMatch(/^out\.txt\.hbs: line 1: the log helper is disabled: a template cannot write into the log$/);
    expect(processOutput()).toBe('');
  });

  it.each([
    ['{{lookup repo "toString"}}'],
    ['{{lookup service_name "valueOf"}}'],
    ['{{lookup repo "constructor"}}'],
    ['{{lookup repo "__proto__"}}'],
    ['{{repo.constructor}}'],
    ['{{repo.hasOwnProperty}}'],
    ['{{#with (lookup repo "constructor")}}{{lookup this "name"}}{{/with}}'],
  ])('%s gets nothing from a prototype and writes no warning', (source) => {
    expect(render(source)).toBe('');
    expect(processOutput()).toBe('');
  });

  it('keeps lookup for own values', () => {
    expect(render('{{lookup repo "owner"}}/{{lookup . "service_name"}}')).toBe('acme/payments');
  });

  it('reaches no partial or helper registered on the global Handlebars', () => {
    Handlebars.registerPartial('leaked', 'LEAKED');
    Handlebars.registerHelper('leakedHelper', () => 'LEAKED');
    try {
      expect(renderError('{{> leaked}}')).toMatch(/The partial leaked could not be found/);
      expect(renderError('{{leakedHelper}}')).toMatch(/"leakedHelper" is not a declared variable/);
    } finally {
      Handlebars.unregisterPartial('leaked');
      Handlebars.unregisterHelper('leakedHelper');
    }
  });

  it('cannot call the missing-helper hooks, and an unknown helper is an error', () => {
    expect(renderError('{{helperMissing}}')).toMatch(/"helperMissing" is not a declared variable/);
    expect(renderError('{{blockHelperMissing}}')).toMatch(/"blockHelperMissing" is not a declared variable/);
    expect(renderError('{{shout service_name}}')).toMatch(/line 1: "shout" is not a declared variable/);
  });

  it('has inline partials, the one decorator; any other decorator is an error', () => {
    expect(render('{{#*inline "who"}}{{name}}@{{owner}}{{/inline}}{{#with repo}}{{> who}}{{/with}}')).toBe('payments@acme');
    expect(render('{{#*inline "layout"}}<{{> @partial-block}}>{{/inline}}{{#> layout}}{{service_name}}{{/layout}}')).toBe('<payments>');
    expect(renderError('{{* shell "id"}}')).toMatch(/^out\.txt\.hbs: Missing decorator: "shell"/);
    expect(renderError('{{#*inline "a"}}a{{/inline}}{{> b}}')).toMatch(/The partial b could not be found/);
  });

  it('does not re-indent an indented partial (preventIndent)', () => {
    expect(render('{{#*inline "lines"}}a\nb\n{{/inline}}\n  {{> lines}}\n')).toBe('  a\nb\n');
  });

  it('does not iterate over a value: {{#each}} only walks objects of the context', () => {
    expect(render('{{#each service_name}}char{{/each}}|{{#each repo}}{{@key}}={{this}} {{/each}}')).toBe('|name=payments owner=acme ');
  });

  it('keeps a huge variable name out of the message', () => {
    const message = renderError(`{{${'a'.repeat(100_000)}}}`);
    expect(message).toMatch(/^out\.txt\.hbs: line 1: "a{80}…" is not a declared variable/);
    expect(message.length).toBeLessThan(200);
  });

  it('refuses a file or folder name longer than file systems take', () => {
    const files = fileMap({ 'template.yml': MANIFEST, '{{service_name}}.txt': '' });
    const long = renderSnapshot({ files, ref: 'v1', repo, overrides: { service_name: 'a'.repeat(251) } });
    expect([...long.output.keys()]).toEqual([`${'a'.repeat(251)}.txt`]);
    expect(() => renderSnapshot({ files, ref: 'v1', repo, overrides: { service_name: 'a'.repeat(252) } })).toThrow(
      /Template file \{\{service_name\}\}\.txt renders a file or folder name longer than 255 bytes/,
    );
  });
});
