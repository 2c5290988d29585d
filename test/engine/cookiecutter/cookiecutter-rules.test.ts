import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../../src/engine/file-map.js';
import { renderSnapshot } from '../../../src/engine/render-snapshot.js';
import { UserError } from '../../../src/engine/user-error.js';

const TOP = '{{cookiecutter.slug}}';
function template(json: Record<string, unknown>, files: Record<string, string>): Map<string, FileEntry> {
  const map = new Map<string, FileEntry>([['cookiecutter.json', { content: Buffer.from(JSON.stringify(json)), mode: '100644' }]]);
  for (const [path, text] of Object.entries(files)) map.set(path.startsWith('hooks/') ? path : `${TOP}/${path}`, { content: Buffer.from(text), mode: '100644' });
  return map;
}
const render = (files: Map<string, FileEntry>, keepHooks = true) => renderSnapshot({ files, ref: 'v1', repo: { owner: 'acme', name: 'svc' }, keepHooks });

describe('cookiecutter template rules', () => {
  it('gives _template_drift globs, rendered with Jinja, as file policies; every other path is merged', () => {
    const { policyOf } = render(template({ slug: 'pay', _template_drift: { enforce: ['{{ cookiecutter.slug }}/ci.yml'], scaffold: ['README.md'] } }, {
      'README.md': 'x', '{{cookiecutter.slug}}/ci.yml': 'y', 'Makefile': 'z',
    }));
    expect([policyOf('pay/ci.yml'), policyOf('README.md'), policyOf('Makefile')]).toEqual(['enforce', 'scaffold', 'merge']);
  });

  it('refuses extensions beyond cookiecutter\'s defaults, naming them', () => {
    expect(() => render(template({ slug: 'a', _extensions: ['jinja2_time.TimeExtension', 'local_extensions.Money', 'x.Y'] }, { f: '' })))
      .toThrow(/Jinja extensions that template-drift does not provide: local_extensions.Money, x.Y/);
  });

  it('applies the safe-path rules to rendered paths', () => {
    expect(() => render(template({ slug: 'a', dir: '../../etc' }, { '{{ cookiecutter.dir }}/passwd': '' }))).toThrow(/unsafe path "\.\.\/\.\.\/etc\/passwd"/);
    expect(() => render(template({ slug: 'a', dir: '' }, { '{{ cookiecutter.dir }}/f': '' }))).toThrow(UserError);
  });

  it('names the file and line of an undefined variable, as StrictUndefined does', () => {
    expect(() => render(template({ slug: 'a' }, { 'f.txt': 'one\n{{ cookiecutter.nope }}\n' }))).toThrow(/\{\{cookiecutter.slug\}\}\/f.txt: undefined value/);
  });

  it('makes a formatting mistake or a runaway width a template error naming the default or file, with Python\'s message', () => {
    expect(() => render(template({ slug: 'a', port: "{{ '{:d}'.format('80') }}" }, { f: '' })))
      .toThrow(/cookiecutter.json: default of "port": Unknown format code 'd' for object of type 'str'/);
    expect(() => render(template({ slug: 'a' }, { 'f.txt': "{{ '%s %s' % ('a',) }}" }))).toThrow(/f.txt: not enough arguments for format string/);
    for (const huge of ["'{:999999999}'.format(1)", "'%999999999d' % 1", "'x'.zfill(999999999)", "'%.*f' % (999999999, 1.5)"]) {
      expect(() => render(template({ slug: 'a' }, { 'f.txt': `{{ ${huge} }}` }))).toThrow(/f.txt: a (width|precision) of 999999999 is more than/);
    }
  });

  it('escapes nothing, whatever the file type (minijinja would escape .html and .yml by name)', () => {
    const { output } = render(template({ slug: 'a', v: '<a & "b">' }, { 'x.html': '{{ cookiecutter.v }}', 'x.yml': '{{ cookiecutter.v }}', 'x.json': '{{ cookiecutter.v }}' }));
    expect([...output.values()].map((entry) => entry.content.toString())).toEqual(['<a & "b">', '<a & "b">', '<a & "b">']);
  });

  it('honours _jinja2_env_vars whitespace options and _new_lines', () => {
    const { output } = render(template({ slug: 'a', _jinja2_env_vars: { trim_blocks: true, lstrip_blocks: true }, _new_lines: '\r\n' }, {
      'f.txt': 'a\n  {% if true %}\nb\n  {% endif %}\nc\n',
    }));
    expect(output.get('f.txt')?.content.toString()).toBe('a\r\nb\r\nc\r\n');
  });

  it('counts what it renders against the render limit', () => {
    const files = template({ slug: 'a' }, { 'f.txt': "{{ 'x' * 2000000 }}" });
    expect(() => renderSnapshot({ files, ref: 'v1', repo: { owner: 'a', name: 'b' }, limits: { maxOutput: 1_000_000, maxMilliseconds: 5000, maxDepth: 100 } }))
      .toThrow(/render limit/);
  });

  it('stops a loop that would run for ever (minijinja\'s fuel)', () => {
    expect(() => render(template({ slug: 'a' }, { 'f.txt': '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}' }))).toThrow(/fuel/);
  });

  it('refuses a template with hooks unless its hooks are kept for a trusted adapter to run, naming them', () => {
    const files = template({ slug: 'a' }, { 'f': '', 'hooks/post_gen_project.py': 'import os\n' });
    expect(() => render(files, false)).toThrow(UserError);
    expect(() => render(files, false)).toThrow(/hooks \(hooks\/post_gen_project\.py\)/);
    expect(render(template({ slug: 'a' }, { 'f': '' }), false).output.has('f')).toBe(true);
  });

  it('renders the hooks it finds, for an adapter to run', () => {
    const { hooks } = render(template({ slug: 'a' }, { 'f': '', 'hooks/post_gen_project.py': 'print("{{ cookiecutter.slug }}")\n', 'hooks/pre_gen_project.sh~': 'x', 'hooks/helper.py': '' }));
    expect(hooks.map((hook) => [hook.name, hook.file, hook.script.toString()])).toEqual([['post_gen_project', 'hooks/post_gen_project.py', 'print("a")\n']]);
  });
});
