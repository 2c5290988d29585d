"""Writes jinja-python-cases.json: what Jinja2 itself renders for Python methods and formatting.

    /usr/bin/python3 test/engine/cookiecutter/jinja-python-cases.py     # needs jinja2 (Debian: python3-jinja2)

Each template is rendered as cookiecutter renders one (StrictUndefined, the final newline kept)
with the context below; jinja-python.test.ts renders the same with template-drift's Jinja and
expects the same text, or an error where Jinja2 raised one, with Python's message unless the
template is marked `~ ` (an error minijinja words its own way).
"""
import json, os
import jinja2

CONTEXT = {'cookiecutter': {
    'project_name': 'My Fancy Project', 'slug': 'my_fancy_project', 'version': '1.2.3', 'n': 7, 'x': 3.14159, 'empty': '',
    'db': {'engine': 'postgres', 'port': '5432'}, 'tags': ['web', 'api'], 'yes': True,
}}

TEMPLATES = r"""
{{ '%s, %s'|format(cookiecutter.project_name, cookiecutter.n) }}
{{ '%(engine)s:%(port)s'|format(engine='pg', port=5432) }}
{{ '%05.2f|%-4d|%x'|format(cookiecutter.x, cookiecutter.n, 255) }}
{{ '%s'|format(cookiecutter.db) }}
{{ cookiecutter.db.get('engine') }}
{{ cookiecutter.db.get('host') }}
{{ cookiecutter.db.get('host') is none }}
{{ none }}
{{ [none, true, 1.5, 'a'] }}
{{ cookiecutter.db }}
{{ '{}-{}'.format(cookiecutter.slug, cookiecutter.n) }}
{{ '{0}{name}'.format(cookiecutter.n, name=cookiecutter.project_name) }}
{{ '{:>10}|{:03d}|{!r}'.format('ab', cookiecutter.n, cookiecutter.slug) }}
{{ '{:.2f} {:,} {:#x}'.format(cookiecutter.x, 1234567, 255) }}
{{ '{db[engine]}:{db[port]}'.format(db=cookiecutter.db) }}
{{ '{}'.format(cookiecutter.project_name).upper()[:6] }}
{{ "{}".format('x') ~ '{}'.format("y") }}
{{ '%s-%s' % (cookiecutter.slug, cookiecutter.n) }}
{{ '%d' % cookiecutter.n }}
{{ '%(engine)s on %(port)s' % cookiecutter.db }}
{{ '%05.2f' % cookiecutter.x }}
{{ '%s' % cookiecutter.tags }}
{{ '%s' % (cookiecutter.tags,) }}
{{ 'a' ~ '%s' % cookiecutter.slug|upper ~ 'b' }}
{{ '%s%%' % 50 }}
{{ 10 % 3 }}, {{ cookiecutter.n % 2 }}
{{ cookiecutter.db.get('host', 'localhost') }}:{{ cookiecutter.db.get('port', '1') }}
{{ cookiecutter.db.get('host', none) is none }}
{{ cookiecutter.slug.zfill(20) }} {{ '-42'.zfill(6) }}
{{ cookiecutter.slug.center(20, '*') }}|{{ 'ab'.ljust(5, '.') }}|{{ 'ab'.rjust(5) }}
{{ cookiecutter.version.partition('.')[0] }} {{ cookiecutter.version.rpartition('.')[2] }}
{{ 'test_app'.removeprefix('test_') }} {{ 'app_test'.removesuffix('_test') }}
{{ cookiecutter.project_name.swapcase() }} {{ 'Straße'.casefold() }}
{{ cookiecutter.version.rsplit('.', 1) }} {{ ' a b  c '.rsplit(None, 1) }}
{{ 'a\r\nb\rc\nd'.splitlines() }} {{ 'a\nb\n'.splitlines(True) }}
{{ cookiecutter.slug.index('fancy') }} {{ cookiecutter.slug.rindex('_') }} {{ cookiecutter.tags.index('api') }}
{{ 'a1b2 c3'.title() }} {{ "they're".title() }}
{{ ''.isdigit() }} {{ 'A B'.isupper() }} {{ 'a b'.islower() }} {{ '12'.isdecimal() }} {{ 'Ab Cd'.istitle() }} {{ 'x_1'.isidentifier() }}
{{ 'hello'.find('l', 3) }} {{ 'hello'.count('l', 3) }} {{ 'hello'.startswith('l', 2) }} {{ cookiecutter.slug.endswith(('x', 'project')) }}
{{ 'a\tb'.expandtabs(4) }}
{% if cookiecutter.slug.startswith('my') and '{}'.format(1) == '1' %}yes{% endif %}
{% set name = '{}_{}'.format(cookiecutter.slug, 'db').upper() %}{{ name }}
~ {% for part in '%s.%s' % ('a', 'b').upper() %}{{ part }}{% endfor %}
{%- if '%d' % cookiecutter.n == '7' -%} seven {%- endif %}
{{ "it's {}".format('%') }} {{ '%s' % "{}" }}
{{ 'a' ~ 'b'.zfill(3) }} {{ not 'x'.isdigit() }} {{ '%s' % 'a' ~ 'b' }} {{ '%s' % 'a' if true else 'b' }} {{ '%s' % 'x'|upper }}
{{ ('%s' % 'x').upper() }} {{ '%s' % ['a'][0] }} {{ '%s' % {'a': 1}['a'] }} {{ '{}'.format('a')|upper }} {{ ['x'][0].zfill(3) }} {{ {'k': 'v'}['k'].center(3, '*') }}
{{ 'ab' 'c'.zfill(5) }} {{ ('a' ~ 'b').zfill(4) }} {{ cookiecutter['slug'].zfill(17) }} {{ 'x' in 'y'.zfill(2) }} {{ 3 - 1 if 'a'.isupper() else 'b'.rjust(2) }}
{{ '{}'.format('{}'.format('%s' % 'deep')) }} {{ '%s|%s' % ('{}'.format(1), '%d' % 2) }}
~ {{ '%s' % 1 + 1 }}
~ {{ 2 * '%s' % 'x' }}
{{ '{:q}'.format(1) }}
{{ '%d' % 'x' }}
{{ cookiecutter.slug.index('zzz') }}
~ {{ cookiecutter.nope.zfill(3) }}
{{ '%(engine)s'|format(cookiecutter.db) }}
{{ '%s %s'|format(1, x=2) }}
{% filter format('x') %}<%s>{% endfilter %} {{ '%s|%s'|format('a', 'b',) }} {{ '%%'|format() }}
{{ '%q'|format(1) }}
{{ '%s %s'|format(1) }}
~ {{ cookiecutter.nope }}
""".strip().split('\n') + [
    # A call across lines keeps the template's line numbers.
    "{{ '{}'.format(\n  cookiecutter.slug,\n) }} {{ 'a'.format() }}\n{{ '{}'.format(cookiecutter.slug) }}",
]


def render(source):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        return {'expected': env.from_string(source).render(**CONTEXT)}
    except Exception as error:  # noqa: BLE001 - the error is the expected outcome
        return {'error': str(error)}


cases = []
for line in TEMPLATES:
    source = line[2:] if line.startswith('~ ') else line
    cases.append({'template': source, **render(source), **({'ownWords': True} if line.startswith('~ ') else {})})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'jinja-python-cases.json'), 'w', encoding='utf-8') as out:
    json.dump({'context': CONTEXT, 'cases': cases}, out, indent=1, ensure_ascii=False)
    out.write('\n')
print(len(cases), 'cases')
