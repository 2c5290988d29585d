"""Writes jinja-python-cases.json: what Jinja2 itself renders for Python methods and formatting.

    /usr/bin/python3 test/engine/cookiecutter/jinja-python-cases.py     # needs jinja2 (Debian: python3-jinja2)

Each template is rendered as cookiecutter renders one (StrictUndefined, the final newline kept)
with the context below; jinja-python.test.ts renders the same with template-drift's Jinja and
expects the same text, or an error where Jinja2 raised one.
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
{{ '%q'|format(1) }}
{{ '%s %s'|format(1) }}
{{ cookiecutter.nope }}
""".strip().split('\n')


def render(source):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        return {'expected': env.from_string(source).render(**CONTEXT)}
    except Exception as error:  # noqa: BLE001 - the error is the expected outcome
        return {'error': str(error)}


cases = [{'template': source, **render(source)} for source in TEMPLATES]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'jinja-python-cases.json'), 'w', encoding='utf-8') as out:
    json.dump({'context': CONTEXT, 'cases': cases}, out, indent=1, ensure_ascii=False)
    out.write('\n')
print(len(cases), 'cases')
