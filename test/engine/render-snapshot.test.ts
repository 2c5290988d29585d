import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../src/engine/file-map.js';
import { renderSnapshot, type SnapshotInput } from '../../src/engine/render-snapshot.js';
import { UserError } from '../../src/engine/user-error.js';
import { BINARY, fileMap, texts, userErrorOf, type EntrySpec } from './file-maps.js';

const repo = { owner: 'acme', name: 'payments' };

function render(tree: Record<string, EntrySpec>, options: Partial<SnapshotInput> = {}) {
  return renderSnapshot({ files: fileMap(tree), ref: 'v1.0.0', repo, ...options });
}

const MANIFEST = `name: svc
variables:
  service_name: { default: "{{repo.name}}" }
  use_docker: { default: true }
`;

describe('rendering template files', () => {
  it('renders .hbs files and drops the suffix', () => {
    const { output } = render({ 'template.yml': MANIFEST, 'README.md.hbs': '# {{service_name}} by {{repo.owner}}\n' });
    expect(texts(output)).toEqual({ 'README.md': '# payments by acme\n' });
  });

  it('copies other files byte for byte: binaries, and text that looks like a template', () => {
    const ci = 'run: echo ${{ secrets.TOKEN }} {{service_name}}\n';
    const { output } = render({ 'template.yml': MANIFEST, 'logo.png': BINARY, '.github/workflows/ci.yml': ci });
    expect(output.get('logo.png')?.content.equals(BINARY)).toBe(true);
    expect(output.get('.github/workflows/ci.yml')?.content.toString()).toBe(ci);
  });

  it('renders folder and file names', () => {
    const { output } = render({
      'template.yml': MANIFEST,
      '{{service_name}}/__init__.py': '',
      '{{service_name}}/{{service_name}}_settings.py.hbs': 'NAME = "{{service_name}}"\n',
    });
    expect(texts(output)).toEqual({ 'payments/__init__.py': '', 'payments/payments_settings.py': 'NAME = "payments"\n' });
  });

  it('keeps the executable bit of rendered and copied files', () => {
    const { output } = render({
      'template.yml': MANIFEST,
      'bin/start.sh.hbs': { content: '#!/bin/sh\nexec {{service_name}}\n', mode: '100755' },
      'bin/raw.sh': { content: '#!/bin/sh\n', mode: '100755' },
      'plain.txt': 'x\n',
    });
    expect(output.get('bin/start.sh')?.mode).toBe('100755');
    expect(output.get('bin/raw.sh')?.mode).toBe('100755');
    expect(output.get('plain.txt')?.mode).toBe('100644');
  });

  it('does not HTML-escape values or text', () => {
    const { output } = render({ 'template.yml': MANIFEST, 'a.txt.hbs': 'a & <b> "{{service_name}}"\n' }, { overrides: { service_name: 'x & <y>' } });
    expect(output.get('a.txt')?.content.toString()).toBe('a & <b> "x & <y>"\n');
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    const { output } = render({ 'template.yml': MANIFEST, 'win.txt.hbs': 'name={{service_name}}\r\n{{#if use_docker}}\r\ndocker\r\n{{/if}}\r\nend', 'raw.txt': 'a\r\nb' });
    expect(output.get('win.txt')?.content.toString()).toBe('name=payments\r\ndocker\r\nend');
    expect(output.get('raw.txt')?.content.toString()).toBe('a\r\nb');
  });

  it('never outputs template.yml', () => {
    const { output } = render({ 'template.yml': MANIFEST, 'a.txt': 'a' });
    expect([...output.keys()]).toEqual(['a.txt']);
  });

  it('renders only the files under root, relative to it', () => {
    const { output } = render({
      'template.yml': `${MANIFEST}root: skeleton\n`,
      'README.md': 'about the template itself\n',
      '.github/workflows/test-template.yml': 'the template own CI\n',
      'skeleton/README.md.hbs': '# {{service_name}}\n',
      'skeleton/.gitignore': '*.pyc\n',
    });
    expect(texts(output)).toEqual({ '.gitignore': '*.pyc\n', 'README.md': '# payments\n' });
  });

  it('does not render excluded output paths at all (a broken excluded file is harmless)', () => {
    const { output } = render({
      'template.yml': `${MANIFEST}files:\n  exclude: ["docs/**", "{{#if use_docker}}no-docker.txt{{/if}}"]\n`,
      'docs/guide.md.hbs': '{{#broken',
      'no-docker.txt.hbs': 'unused {{nope}}',
      'kept.txt': 'kept',
    });
    expect([...output.keys()]).toEqual(['kept.txt']);
  });

  it('gives each output path the policy of the rules and the ignore list', () => {
    const snapshot = render(
      { 'template.yml': `${MANIFEST}files:\n  scaffold: ["{{service_name}}/**"]\n  enforce: [Dockerfile]\n`, Dockerfile: 'FROM x\n' },
      { ignore: ['.github/**'] },
    );
    expect(snapshot.policyOf('payments/views.py')).toBe('scaffold');
    expect(snapshot.policyOf('Dockerfile')).toBe('enforce');
    expect(snapshot.policyOf('.github/CODEOWNERS')).toBe('ignore');
    expect(snapshot.policyOf('README.md')).toBe('merge');
  });
});

describe('template helpers', () => {
  it.each([
    ['{{snake "Payments API"}}', 'payments_api'],
    ['{{kebab "Payments API"}}', 'payments-api'],
    ['{{camel "payments api"}}', 'paymentsApi'],
    ['{{pascal "payments-api"}}', 'PaymentsApi'],
    ['{{upper service_name}}', 'PAYMENTS'],
    ['{{lower "MiXeD"}}', 'mixed'],
    ['{{#if (eq service_name "payments")}}yes{{else}}no{{/if}}', 'yes'],
    ['{{#if (ne service_name "payments")}}yes{{else}}no{{/if}}', 'no'],
    ['{{#if (and use_docker (eq service_name "payments"))}}yes{{else}}no{{/if}}', 'yes'],
    ['{{#if (and use_docker false)}}yes{{else}}no{{/if}}', 'no'],
    ['{{#if (or false use_docker)}}yes{{else}}no{{/if}}', 'yes'],
    ['{{#if (or false false)}}yes{{else}}no{{/if}}', 'no'],
    ['{{#if (not use_docker)}}yes{{else}}no{{/if}}', 'no'],
  ])('%s renders %s', (source, expected) => {
    const { output } = render({ 'template.yml': MANIFEST, 'out.txt.hbs': source });
    expect(output.get('out.txt')?.content.toString()).toBe(expected);
  });
});

describe('template errors', () => {
  const renderError = (tree: Record<string, EntrySpec>, options: Partial<SnapshotInput> = {}) => userErrorOf(() => render(tree, options));

  it('names the file and line of an undeclared variable', () => {
    const error = renderError({ 'template.yml': MANIFEST, 'app/config.py.hbs': 'A = 1\nB = 2\nNAME = "{{servce_name}}"\n' });
    expect(error.message).toMatch(/^app\/config\.py\.hbs: line 3: "servce_name" is not a declared variable/);
  });

  it('fails an undeclared variable used only as a helper argument or condition', () => {
    expect(renderError({ 'template.yml': MANIFEST, 'a.txt.hbs': 'x\n{{#if use_redis}}redis{{/if}}\n' }).message).toMatch(
      /^a\.txt\.hbs: line 2: "use_redis" is not a declared variable/,
    );
    expect(renderError({ 'template.yml': MANIFEST, 'b.txt.hbs': '{{snake servce}}' }).message).toMatch(/^b\.txt\.hbs: line 1: "servce"/);
    expect(renderError({ 'template.yml': MANIFEST, 'c.txt.hbs': '{{#unless (eq flavour "x")}}{{/unless}}' }).message).toMatch(/"flavour" is not a declared/);
  });

  it('fails an undeclared variable in a file path, naming the template file', () => {
    expect(renderError({ 'template.yml': MANIFEST, '{{pkg}}/x.py': '' }).message).toMatch(/path of \{\{pkg\}\}\/x\.py: line 1: "pkg" is not a declared variable/);
  });

  it('names the file and line of a syntax error', () => {
    const error = renderError({ 'template.yml': MANIFEST, 'Dockerfile.hbs': 'FROM x\n{{#if use_docker}}\nRUN y\n' });
    expect(error.message).toMatch(/^Dockerfile\.hbs: line \d+: template syntax error/);
  });

  it('refuses a template without template.yml', () => {
    expect(renderError({ 'a.txt': 'a' }).message).toMatch(/at v1\.0\.0 has no template\.yml/);
  });

  it('refuses two template files that render to the same path', () => {
    expect(renderError({ 'template.yml': MANIFEST, 'a.txt': 'a', 'a.txt.hbs': 'b' }).message).toMatch(/Template files a\.txt and a\.txt\.hbs both render to a\.txt/);
  });
});

describe('unsafe output paths', () => {
  const pathTemplate = { 'template.yml': 'name: t\nvariables:\n  dir: { default: ok }\n', '{{dir}}/file.txt': 'x' };

  it.each([
    ['an absolute path', '/etc', /must be relative/],
    ['a .. segment', '..', /contains \. or \.\./],
    ['a .. in the middle', 'a/../..', /contains \. or \.\./],
    ['an empty leading segment', '', /must be relative/],
    ['an empty segment', 'a//b', /empty segment/],
    ['a trailing slash', 'a/', /empty segment/],
    ['a .git folder', '.git', /inside \.git/],
    ['a .git folder in another case', 'sub/.GIT', /inside \.git/],
    ['a backslash', 'a\\b', /must be relative and use \//],
    ['a newline', 'a\nb', /control character/],
    ['a carriage return', 'a\r', /control character/],
    ['a tab', 'a\tb', /control character/],
    ['a NUL byte', 'a\0b', /control character/],
    ['an escape sequence', '\u001b[31mred', /control character/],
    ['a C1 control', 'a\u0085b', /control character/],
  ])('refuses a rendered path with %s, naming the template file', (_what, dir, reason) => {
    expect(() => render(pathTemplate, { overrides: { dir } })).toThrow(UserError);
    expect(() => render(pathTemplate, { overrides: { dir } })).toThrow(/Template file \{\{dir\}\}\/file\.txt renders to an unsafe path/);
    expect(() => render(pathTemplate, { overrides: { dir } })).toThrow(reason);
  });

  it('accepts dot-prefixed names that are not .git', () => {
    const { output } = render(pathTemplate, { overrides: { dir: '.github' } });
    expect([...output.keys()]).toEqual(['.github/file.txt']);
  });
});

describe('symlinks in a template', () => {
  const link = (target: string): EntrySpec => ({ content: target, mode: '120000' });

  it('keeps a symlink that points inside the output', () => {
    const { output } = render({ 'template.yml': MANIFEST, 'docs/README.md': link('../README.md'), 'README.md': '# r\n', 'current': link('docs') });
    const kept = output.get('docs/README.md') as FileEntry;
    expect(kept.mode).toBe('120000');
    expect(kept.content.toString()).toBe('../README.md');
    expect(output.get('current')?.content.toString()).toBe('docs');
  });

  it.each([
    ['outside the output', '../../etc/passwd'],
    ['to an absolute path', '/etc/passwd'],
    ['into .git', '.git/config'],
  ])('refuses a symlink pointing %s', (_what, target) => {
    expect(() => render({ 'template.yml': MANIFEST, 'docs/link': link(target) })).toThrow(/Template symlink docs\/link points outside the output/);
  });

  it('follows the output\'s own symlinks: a chain whose every target looks inside but leads out is refused', () => {
    // a/b/up is the output's root; s1 is then the root's parent, though "a/b/up/.." reads as a/b.
    const chain = { 'template.yml': MANIFEST, 'a/b/up': link('../..'), 's1': link('a/b/up/..') };
    expect(() => render(chain)).toThrow(/Template symlink s1 points outside the output \("a\/b\/up\/\.\."\)/);
    expect(() => render({ 'template.yml': MANIFEST, 'a/b/up': link('../..'), 's2': link('a/b/up/.git/config') })).toThrow(/Template symlink s2 points outside/);
    expect(() => render({ 'template.yml': MANIFEST, 'loop1': link('loop2/x'), 'loop2': link('loop1/y') })).toThrow(/points outside the output/);
  });

  it('keeps a chain that stays inside', () => {
    const { output } = render({ 'template.yml': MANIFEST, 'a/b/up': link('../..'), 'docs/readme': link('../a/b/up/README.md'), 'README.md': '# r\n' });
    expect(output.get('docs/readme')?.content.toString()).toBe('../a/b/up/README.md');
  });

  it('refuses files beneath one of the output\'s symlinks (the issue\'s {{d}}/file with d=s1)', () => {
    const manifest = 'name: t\nvariables:\n  d: { default: s1 }\n';
    const chain = { 'template.yml': manifest, 'a/b/up': link('../..'), 's1': link('a/b/up/..'), '{{d}}/file': 'escaped\n' };
    expect(() => render(chain)).toThrow(UserError);
    expect(() => render(chain)).toThrow(/renders s1 as a symlink and also s1\/file beneath it/);
    // Even a link that points inside may not have files beneath it: the write would go through it.
    const inside = { 'template.yml': manifest, 'a/x': 'x\n', 's1': link('a'), '{{d}}/file': 'through the link\n' };
    expect(() => render(inside)).toThrow(/renders s1 as a symlink and also s1\/file beneath it/);
  });
});

describe('an output that is not a tree', () => {
  it('refuses a path that is both a file and a folder, whatever the file names', () => {
    const tree = { 'template.yml': 'name: t\nvariables:\n  n: { default: foo }\n', '{{n}}': 'a file\n', 'foo/bar.txt': 'beneath\n' };
    expect(() => render(tree)).toThrow(/renders foo as a file and also foo\/bar\.txt beneath it/);
  });
});
