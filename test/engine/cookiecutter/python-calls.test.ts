import { describe, expect, it } from 'vitest';
import { prepareJinjaSource } from '../../../src/engine/cookiecutter/jinja-source.js';
import { CookiecutterJinja } from '../../../src/engine/cookiecutter/jinja-env.js';
import { rewritePythonCalls } from '../../../src/engine/cookiecutter/python-calls.js';
import { RenderBudget } from '../../../src/engine/render-budget.js';
import { UserError } from '../../../src/engine/user-error.js';

const m = (receiver: string, name: string, args = '', line = 1) => `__td_method(${receiver}, '${name}'${args ? `, ${args}` : ''}, __td_kw=${line})`;

describe('Python calls become calls minijinja can make', () => {
  it.each([
    ["'{}-{}'.format(a, b)", m("'{}-{}'", 'format', 'a, b')],
    ["x.y['k'].zfill(3)", m("x.y['k']", 'zfill', '3')],
    ['f(a)(b).title()', m('f(a)(b)', 'title')],
    ['(a ~ b).center(9)', m('(a ~ b)', 'center', '9')],
    ["-x.zfill(3)", `-${m('x', 'zfill', '3')}`],
    ["a ~ b.rjust(2) ~ c", `a ~ ${m('b', 'rjust', '2')} ~ c`],
    ["not x.isdigit()", `not ${m('x', 'isdigit')}`],
    ["x in ['a', 'b'].index(y)", `x in ${m("['a', 'b']", 'index', 'y')}`],
    ["{'a': 1}['a'].zfill(2)", m("{'a': 1}['a']", 'zfill', '2')],
    ["'a' 'b'.zfill(5)", m("'a' 'b'", 'zfill', '5')],
    ["'{n}'.format(n=1,)", m("'{n}'", 'format', 'n=1')],
    ["d.get('k', 'v')|upper", `${m('d', 'get', "'k', 'v'")}|upper`],
    ["'{}'.format(x).upper()[0]", `${m("'{}'", 'format', 'x')}.upper()[0]`],
    ["'{}'.format(x.zfill(2))", m("'{}'", 'format', m('x', 'zfill', '2'))],
    ["'%s-%s' % (a, b)", "__td_percent('%s-%s', (a, b), true, 1)"],
    ["'%s' % (a,)", "__td_percent('%s', (a,), true, 1)"],
    ["'%s' % ()", "__td_percent('%s', (), true, 1)"],
    ["'%s' % (a)", "__td_percent('%s', (a), false, 1)"],
    ["'%s' % [a, b]", "__td_percent('%s', [a, b], false, 1)"],
    ["'%d' % n * 2", "__td_percent('%d', n, false, 1) * 2"],
    ["x ~ '%s' % y.z|upper ~ w", "x ~ __td_percent('%s', y.z|upper, false, 1) ~ w"],
    ["'%s' % -n", "__td_percent('%s', -n, false, 1)"],
    ["'%(a)s' % {'a': 1}", "__td_percent('%(a)s', {'a': 1}, false, 1)"],
    ["'%s' % x if c else y", "__td_percent('%s', x, false, 1) if c else y"],
    ["a - '%s' % b", "a - __td_percent('%s', b, false, 1)"],
    ["'%s'|format(d)", "'%s'|format(d, __td_kw=1)"],
    ["'%s'|format()|upper", "'%s'|format(__td_kw=1)|upper"],
    ["'%s'|format(a,)", "'%s'|format(a,__td_kw=1)"],
  ])('%s', (source, expected) => {
    expect(rewritePythonCalls(source, false)).toBe(expected);
  });

  it.each([
    ['a filter\'s arguments are no receiver', 'x|f(1).format(2)'],
    ['a test\'s name is no receiver', 'x is y.zfill(2)'],
    ['a method minijinja has right is left to it', "x.lower().replace(' ', '_').startswith"],
    ['% after anything but a quoted string stays arithmetic', 'loop.index % 2 == 0'],
    ['% after a product is the product\'s', "2 * '%s' % x"],
    ['% before a test or a power', "'%s' % x is defined"],
    ['an unterminated string', "'{}'.format(x"],
    ['text Jinja could not lex', "'{}'.format(x) @ 1"],
  ])('leaves %s unchanged', (_, source) => {
    expect(rewritePythonCalls(source, false)).toBe(source);
  });

  it('takes the first word of a tag as its keyword, not as a function called on a group', () => {
    expect(rewritePythonCalls(" elif (x).isdigit() ", true)).toBe(` elif ${m('(x)', 'isdigit')} `);
    expect(rewritePythonCalls(" if not x.isdigit() and (y).zfill(2) ", true)).toBe(` if not ${m('x', 'isdigit')} and ${m('(y)', 'zfill', '2')} `);
  });

  it('rewrites printed expressions and tags, never comments, raw blocks or quoted text, and keeps every newline', () => {
    const source = [
      "{# 'a'.format(b) #}{% raw %}{{ 'a'.format(b) }}{% endraw %}{{ \"x.format(1) and '%s' % 2\" }}",
      "{%- set v = '{}'.format(\n  a,\n) -%}{{ v }}",
      "{{ 'b'.zfill(2) }}",
    ].join('\n');
    const prepared = prepareJinjaSource(source);
    expect(prepared.split('\n')).toHaveLength(source.split('\n').length);
    expect(prepared).toContain("{# 'a'.format(b) #}{% raw %}{{ 'a'.format(b) }}{% endraw %}");
    expect(prepared.split('\n')[0]).toContain("\"x.format(1) and '%s' % 2\"");
    expect(prepared.split('\n')[0]).not.toMatch(/__td_method|__td_percent/);
    expect(prepared).toContain(`{%- set v = ${m("'{}'", 'format', '\n  a\n', 2)} -%}`);
    expect(prepared).toContain(m("'b'", 'zfill', '2', 5));
  });

  it('names the line of a Python call that fails, as minijinja names its own errors\' lines', () => {
    const jinja = new CookiecutterJinja({ repository: 'a/b', committedAt: new Date(0) }, {}, new RenderBudget());
    try {
      expect(() => jinja.render("one\n{{ 'x' }}\n{{ '{:d}'.format('a') }}\n", {}, 'f.txt', 'file:f.txt')).toThrow("f.txt: Unknown format code 'd' for object of type 'str' (line 3)");
      expect(() => jinja.render("{% if true %}\n\n{{ '%s %s' %\n ('a',) }}{% endif %}", {}, 'f.txt', 'file:f.txt')).toThrow('f.txt: not enough arguments for format string (line 3)');
    } finally {
      jinja.close();
    }
  });

  it('refuses, as a template error, an expression with so many calls that rewriting it would take long', () => {
    const chain = "'a'" + '.zfill(1)'.repeat(2000);
    expect(() => rewritePythonCalls(chain, false)).toThrow(UserError);
    expect(() => rewritePythonCalls(chain, false)).toThrow(/with this many Python calls is more than template-drift reads: split it into several/);
    expect(rewritePythonCalls("'a'" + '.zfill(1)'.repeat(50), false)).toMatch(/^(__td_method\(){50}'a'/);
  });
});
