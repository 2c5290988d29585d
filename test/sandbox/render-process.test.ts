import { describe, expect, it } from 'vitest';
import { RenderLimitError, renderLimits } from '../../src/engine/render-budget.js';
import { renderSnapshot, type SnapshotRequest } from '../../src/engine/render-snapshot.js';
import type { FileEntry } from '../../src/engine/file-map.js';
import { renderInChildProcess } from '../../src/sandbox/render-process.js';
import { sandboxedRenderer } from '../../src/sandbox/sandboxed-renderer.js';
import { fixture, FIXTURE_COMMITTED_AT, FIXTURE_REPO, shown } from '../engine/cookiecutter/fixture-files.js';

const MB = 1024 * 1024;
const HUGE = "{{ 'x' * 2000000000 }}";
/** A string doubled `times` times inside one text: minijinja's memory grows step by step. */
const doubled = (times: number) => `{% set ns = namespace(s='x') %}{% for i in range(${times}) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}`;

function template(files: Record<string, string>, context: Record<string, unknown> = {}): Map<string, FileEntry> {
  const tree = { 'cookiecutter.json': JSON.stringify({ project_slug: 'svc', ...context }), '{{cookiecutter.project_slug}}/README.md': '# {{ cookiecutter.project_slug }}\n', ...files };
  return new Map(Object.entries(tree).map(([path, text]) => [path, { content: Buffer.from(text), mode: '100644' as const }]));
}

const request = (files: Map<string, FileEntry>): SnapshotRequest => ({ files, ref: 'v1.1.0', repo: FIXTURE_REPO });

async function failure(promise: Promise<unknown>): Promise<RenderLimitError> {
  const error: unknown = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(RenderLimitError);
  return error as RenderLimitError;
}

describe('cookiecutter rendering in a render process of its own', () => {
  it('gives what rendering here gives: the same bytes, variables, hooks and file policies', async () => {
    for (const name of ['service', 'hooks']) {
      const { template: files } = await fixture(name);
      const input = { files, ref: 'v1', repo: FIXTURE_REPO, committedAt: FIXTURE_COMMITTED_AT, answers: { project_name: 'Billing API' }, ignore: ['docs/**'], keepHooks: true };
      const here = renderSnapshot(input);
      const there = await sandboxedRenderer()(input);
      expect(shown(there.output)).toEqual(shown(here.output));
      expect(there.variables).toEqual(here.variables);
      expect(there.manifest).toEqual(here.manifest);
      expect(there.hooks).toEqual(here.hooks);
      const paths = [...here.output.keys(), 'NOTES.txt', 'docs/a.md', 'elsewhere/x.py'];
      expect(paths.map((path) => there.policyOf(path))).toEqual(paths.map((path) => here.policyOf(path)));
    }
  });

  it("stops 'x' * 2000000000 in a file at its memory limit, naming the file and the limit, while this process stays small", async () => {
    const before = process.memoryUsage().rss;
    const error = await failure(sandboxedRenderer(renderLimits('1'))(request(template({ '{{cookiecutter.project_slug}}/bomb.txt': HUGE }))));
    expect(error.message).toBe('{{cookiecutter.project_slug}}/bomb.txt: rendering used more than 262 MB of memory, the render limit (it grows with TEMPLATE_DRIFT_MAX_RENDER_MB); rendering stopped');
    // Rendered here, the same text takes 4 GB of WebAssembly memory.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * MB);
  });

  it('stops it in a default of cookiecutter.json and in a path, naming each', async () => {
    const render = sandboxedRenderer(renderLimits('1'));
    const inDefault = await failure(render(request(template({}, { bomb: HUGE }))));
    expect(inDefault.message).toMatch(/^cookiecutter\.json: default of "bomb": rendering used more than 262 MB of memory, the render limit \(it grows with TEMPLATE_DRIFT_MAX_RENDER_MB\)/);
    const inPath = await failure(render(request(template({ [`{{cookiecutter.project_slug}}/${HUGE}.txt`]: 'text\n' }))));
    expect(inPath.message).toMatch(/^path of \{\{cookiecutter\.project_slug\}\}\/\{\{ 'x' \* 2000000000 \}\}\.txt: rendering used more than 262 MB/);
  });

  it('stops a string doubled in a loop when minijinja cannot grow its memory past the limit', async () => {
    const error = await failure(sandboxedRenderer(renderLimits('1'))(request(template({ '{{cookiecutter.project_slug}}/loop.txt': doubled(40) }))));
    expect(error.message).toMatch(/^\{\{cookiecutter\.project_slug\}\}\/loop\.txt: rendering used more than 262 MB of memory/);
  });

  it('kills the process past the limit by its resident set alone, where there is no prlimit', async () => {
    // 2^28 characters fit in WebAssembly (and only their count is printed): unwatched, this renders.
    const input = { ...request(template({ '{{cookiecutter.project_slug}}/loop.txt': doubled(28) })), limits: renderLimits('1') };
    const error = await failure(renderInChildProcess(input, { memoryBytes: 200 * MB, milliseconds: 20_000 }));
    expect(error.message).toBe('rendering used more than 200 MB of memory, the render limit (it grows with TEMPLATE_DRIFT_MAX_RENDER_MB); rendering stopped');
  });

  it('kills a render that runs past its time (TEMPLATE_DRIFT_MAX_RENDER_S), which no check inside one text can stop', async () => {
    const endless = "{% for i in range(100000) %}{{ ('x' * 1000000)|upper|length }}{% endfor %}";
    const error = await failure(sandboxedRenderer(renderLimits(undefined, '0.5'))(request(template({ '{{cookiecutter.project_slug}}/slow.txt': endless }))));
    expect(error.message).toBe('The template at v1.1.0: rendering took longer than 0.5 s, the render limit (TEMPLATE_DRIFT_MAX_RENDER_S); rendering stopped');
  });

  it('passes template errors through as they are, and renders Handlebars templates in this process', async () => {
    const broken = sandboxedRenderer()(request(template({ '{{cookiecutter.project_slug}}/a.txt': '{{ nope.x }}' })));
    await expect(broken).rejects.toThrow(/^\{\{cookiecutter\.project_slug\}\}\/a\.txt: /);
    await expect(broken).rejects.not.toBeInstanceOf(RenderLimitError);
    const handlebars = new Map([['template.yml', { content: Buffer.from('name: hb\n'), mode: '100644' as const }], ['a.txt.hbs', { content: Buffer.from('{{repo.name}}\n'), mode: '100644' as const }]]);
    const snapshot = await sandboxedRenderer()(request(handlebars));
    expect(snapshot.output.get('a.txt')?.content.toString()).toBe('fancy\n');
  });
});
