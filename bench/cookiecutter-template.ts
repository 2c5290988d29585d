import { templateRepo, writeTree, type Tree } from './fixtures.js';

/**
 * A Django service as a cookiecutter template of realistic size: the shape of the cookiecutter
 * Django templates teams use (settings split by environment, five apps with models, views,
 * serializers, URLs, admin, migrations and tests, Docker, CI, Makefile), with the Jinja they
 * use: Python string methods in defaults, choices, booleans, `{% if %}` on options, loops,
 * a `_copy_without_render` folder. No hooks: the bench measures rendering and updating, not
 * Python. v1.1.0 appends a line to every tenth file.
 */
const COOKIECUTTER_JSON = {
  project_name: 'Payments Service',
  project_slug: "{{ cookiecutter.project_name.lower().replace(' ', '_').replace('-', '_') }}",
  description: 'A Django service of the {{ cookiecutter.project_name }} team',
  author_name: 'Platform Team',
  email: "{{ cookiecutter.author_name.lower().replace(' ', '.') }}@example.com",
  python_version: ['3.12', '3.11', '3.10'],
  database: ['postgres', 'mysql', 'sqlite'],
  use_celery: 'y',
  use_sentry: true,
  use_drf: true,
  ci: ['github', 'gitlab', 'none'],
  __env_prefix: '{{ cookiecutter.project_slug.upper() }}',
  _copy_without_render: ['static/vendor'],
};

const APPS = ['users', 'orders', 'payments', 'invoices', 'notifications'];
const ROOT = '{{cookiecutter.project_slug}}';

function appFiles(app: string): Tree {
  const model = app[0]!.toUpperCase() + app.slice(1, -1);
  const base = `${ROOT}/{{cookiecutter.project_slug}}/${app}`;
  return {
    [`${base}/__init__.py`]: '',
    [`${base}/apps.py`]: `from django.apps import AppConfig\n\n\nclass ${model}Config(AppConfig):\n    name = "{{ cookiecutter.project_slug }}.${app}"\n    verbose_name = "{{ cookiecutter.project_name }} ${app}"\n`,
    [`${base}/models.py`]: `from django.db import models\n\n\nclass ${model}(models.Model):\n    name = models.CharField(max_length=200)\n    created = models.DateTimeField(auto_now_add=True)\n{%- if cookiecutter.database == 'postgres' %}\n    data = models.JSONField(default=dict)\n{%- endif %}\n\n    class Meta:\n        db_table = "{{ cookiecutter.project_slug }}_${app}"\n`,
    [`${base}/admin.py`]: `from django.contrib import admin\n\nfrom .models import ${model}\n\nadmin.site.register(${model})\n`,
    [`${base}/views.py`]: `{% if cookiecutter.use_drf %}from rest_framework import viewsets\n\nfrom .models import ${model}\nfrom .serializers import ${model}Serializer\n\n\nclass ${model}ViewSet(viewsets.ModelViewSet):\n    queryset = ${model}.objects.all()\n    serializer_class = ${model}Serializer\n{% else %}from django.views.generic import ListView\n\nfrom .models import ${model}\n\n\nclass ${model}List(ListView):\n    model = ${model}\n{% endif %}`,
    [`${base}/serializers.py`]: `{% if cookiecutter.use_drf %}from rest_framework import serializers\n\nfrom .models import ${model}\n\n\nclass ${model}Serializer(serializers.ModelSerializer):\n    class Meta:\n        model = ${model}\n        fields = ["id", "name", "created"]\n{% endif %}`,
    [`${base}/urls.py`]: `from django.urls import include, path\n{% if cookiecutter.use_drf %}from rest_framework.routers import DefaultRouter\n\nfrom .views import ${model}ViewSet\n\nrouter = DefaultRouter()\nrouter.register("${app}", ${model}ViewSet)\nurlpatterns = [path("", include(router.urls))]\n{% else %}from .views import ${model}List\n\nurlpatterns = [path("${app}/", ${model}List.as_view())]\n{% endif %}`,
    [`${base}/migrations/__init__.py`]: '',
    [`${base}/migrations/0001_initial.py`]: `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n            name="${model}",\n            fields=[\n                ("id", models.BigAutoField(primary_key=True)),\n                ("name", models.CharField(max_length=200)),\n            ],\n            options={"db_table": "{{ cookiecutter.project_slug }}_${app}"},\n        ),\n    ]\n`,
    [`${base}/tests/__init__.py`]: '',
    [`${base}/tests/test_models.py`]: `import pytest\n\nfrom {{ cookiecutter.project_slug }}.${app}.models import ${model}\n\n\n@pytest.mark.django_db\ndef test_create():\n    assert ${model}.objects.create(name="x").pk\n`,
    [`${base}/tests/test_views.py`]: `import pytest\n\n\n@pytest.mark.django_db\ndef test_list(client):\n    assert client.get("/${app}/").status_code in (200, 404)\n`,
  };
}

function projectFiles(): Tree {
  const pkg = `${ROOT}/{{cookiecutter.project_slug}}`;
  const settings = (name: string, extra: string) =>
    `from .base import *  # noqa: F401,F403\n\n# {{ cookiecutter.project_name }}: ${name} settings\n${extra}`;
  return {
    'cookiecutter.json': `${JSON.stringify(COOKIECUTTER_JSON, null, 2)}\n`,
    [`${ROOT}/README.md`]: '# {{ cookiecutter.project_name }}\n\n{{ cookiecutter.description }}\n\nMaintained by {{ cookiecutter.author_name }} <{{ cookiecutter.email }}>.\n\n```sh\nmake install test\n```\n',
    [`${ROOT}/Makefile`]: '.PHONY: install test lint run\ninstall:\n\tpip install -r requirements/dev.txt\ntest:\n\tpytest\nlint:\n\truff check .\nrun:\n\tpython manage.py runserver\n',
    [`${ROOT}/manage.py`]: '#!/usr/bin/env python\nimport os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
    [`${ROOT}/pyproject.toml`]: '[project]\nname = "{{ cookiecutter.project_slug }}"\ndescription = "{{ cookiecutter.description }}"\nrequires-python = ">={{ cookiecutter.python_version }}"\n\n[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "config.settings.test"\n',
    [`${ROOT}/setup.cfg`]: '[flake8]\nmax-line-length = 120\nexclude = migrations\n',
    [`${ROOT}/.env.example`]: '{{ cookiecutter.__env_prefix }}_DEBUG=1\n{{ cookiecutter.__env_prefix }}_DATABASE_URL={{ cookiecutter.database }}://localhost/{{ cookiecutter.project_slug }}\n{% if cookiecutter.use_sentry %}{{ cookiecutter.__env_prefix }}_SENTRY_DSN=\n{% endif %}',
    [`${ROOT}/.gitignore`]: '*.pyc\n__pycache__/\n.env\nstaticfiles/\n',
    [`${ROOT}/.dockerignore`]: '.git\n.env\n__pycache__\n',
    [`${ROOT}/.editorconfig`]: 'root = true\n\n[*]\nindent_style = space\nindent_size = 4\n',
    [`${ROOT}/.pre-commit-config.yaml`]: 'repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.0\n    hooks:\n      - id: ruff\n',
    [`${ROOT}/Dockerfile`]: 'FROM python:{{ cookiecutter.python_version }}-slim\nWORKDIR /app\nCOPY requirements requirements\nRUN pip install -r requirements/production.txt\nCOPY . .\nCMD ["gunicorn", "config.wsgi"]\n',
    [`${ROOT}/docker-compose.yml`]: 'services:\n  web:\n    build: .\n    env_file: .env\n{%- if cookiecutter.database != "sqlite" %}\n  db:\n    image: {{ cookiecutter.database }}\n{%- endif %}\n{%- if cookiecutter.use_celery == "y" %}\n  worker:\n    build: .\n    command: celery -A config worker\n{%- endif %}\n',
    [`${ROOT}/requirements/base.txt`]: 'django>=4.2\n{% if cookiecutter.use_drf %}djangorestframework>=3.14\n{% endif %}{% if cookiecutter.use_celery == "y" %}celery>=5.3\n{% endif %}{% if cookiecutter.use_sentry %}sentry-sdk>=1.40\n{% endif %}',
    [`${ROOT}/requirements/dev.txt`]: '-r base.txt\npytest-django\nruff\n',
    [`${ROOT}/requirements/production.txt`]: '-r base.txt\ngunicorn\n',
    [`${ROOT}/config/__init__.py`]: '{% if cookiecutter.use_celery == "y" %}from .celery import app as celery_app\n\n__all__ = ["celery_app"]\n{% endif %}',
    [`${ROOT}/config/celery.py`]: 'import os\n\nfrom celery import Celery\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\napp = Celery("{{ cookiecutter.project_slug }}")\napp.config_from_object("django.conf:settings", namespace="CELERY")\n',
    [`${ROOT}/config/urls.py`]: `from django.contrib import admin\nfrom django.urls import include, path\n\nurlpatterns = [\n    path("admin/", admin.site.urls),\n{%- for app in ${JSON.stringify(APPS)} %}\n    path("", include("{{ cookiecutter.project_slug }}.{{ app }}.urls")),\n{%- endfor %}\n]\n`,
    [`${ROOT}/config/wsgi.py`]: 'import os\n\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\napplication = get_wsgi_application()\n',
    [`${ROOT}/config/asgi.py`]: 'import os\n\nfrom django.core.asgi import get_asgi_application\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\napplication = get_asgi_application()\n',
    [`${ROOT}/config/settings/__init__.py`]: '',
    [`${ROOT}/config/settings/base.py`]: `import os\n\nSECRET_KEY = os.environ["{{ cookiecutter.__env_prefix }}_SECRET_KEY"]\nINSTALLED_APPS = [\n    "django.contrib.admin",\n    "django.contrib.auth",\n{%- if cookiecutter.use_drf %}\n    "rest_framework",\n{%- endif %}\n{%- for app in ${JSON.stringify(APPS)} %}\n    "{{ cookiecutter.project_slug }}.{{ app }}",\n{%- endfor %}\n]\nDATABASES = {"default": {"ENGINE": "django.db.backends.{{ 'postgresql' if cookiecutter.database == 'postgres' else cookiecutter.database }}", "NAME": "{{ cookiecutter.project_slug }}"}}\nLOGGING = {"version": 1, "formatters": {"json": {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"}}}\n`,
    [`${ROOT}/config/settings/local.py`]: settings('local', 'DEBUG = True\nALLOWED_HOSTS = ["*"]\n'),
    [`${ROOT}/config/settings/test.py`]: settings('test', 'PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]\n'),
    [`${ROOT}/config/settings/production.py`]: settings('production', 'DEBUG = False\n{% if cookiecutter.use_sentry %}import sentry_sdk\n\nsentry_sdk.init(dsn=os.environ.get("{{ cookiecutter.__env_prefix }}_SENTRY_DSN"))\n{% endif %}'),
    [`${pkg}/__init__.py`]: '__version__ = "0.1.0"\n',
    [`${pkg}/conftest.py`]: 'import pytest\n\n\n@pytest.fixture\ndef api_client():\n    from rest_framework.test import APIClient\n    return APIClient()\n',
    [`${ROOT}/static/vendor/htmx.min.js`]: '/* {{ not rendered: copied as it is }} */\n',
    [`${ROOT}/static/css/site.css`]: 'body { font-family: sans-serif; }\n',
    [`${ROOT}/templates/base.html`]: '<!doctype html>\n<title>{{ cookiecutter.project_name }}</title>\n{% raw %}{% block content %}{% endblock %}{% endraw %}\n',
    [`${ROOT}/docs/index.md`]: '# {{ cookiecutter.project_name }}\n\n{{ cookiecutter.description }}\n',
    [`${ROOT}/docs/deploy.md`]: '# Deploying {{ cookiecutter.project_slug }}\n\nBuild the image with Python {{ cookiecutter.python_version }}.\n',
    [`${ROOT}/{% if cookiecutter.ci == 'github' %}.github{% endif %}/workflows/ci.yml`]: 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n        with: { python-version: "{{ cookiecutter.python_version }}" }\n      - run: make install test\n',
    [`${ROOT}/{% if cookiecutter.ci == 'gitlab' %}.gitlab-ci.yml{% endif %}`]: 'test:\n  image: python:{{ cookiecutter.python_version }}\n  script: make install test\n',
  };
}

/** The template's files at v1.0.0 (cookiecutter.json included). */
export function cookiecutterDjango(): Tree {
  return Object.assign(projectFiles(), ...APPS.map(appFiles)) as Tree;
}

export interface CookiecutterBenchTemplate {
  readonly dir: string;
  /** Files the template holds under its top folder (what it renders, before empty names are dropped). */
  readonly files: number;
  readonly changed: number;
}

/** The template as a git repository, v1.0.0 and v1.1.0 (a line appended to every tenth file). */
export async function cookiecutterBenchTemplate(): Promise<CookiecutterBenchTemplate> {
  const v1 = cookiecutterDjango();
  const paths = Object.keys(v1).filter((path) => path.startsWith(`${ROOT}/`));
  const changes: Tree = {};
  for (const [index, path] of paths.entries()) {
    if (index % 10 === 5) changes[path] = `${String(v1[path])}# changed in v1.1.0\n`;
  }
  const dir = await templateRepo('cookiecutter-django', (target) => writeTree(target, v1), () => Promise.resolve(changes));
  return { dir, files: paths.length, changed: Object.keys(changes).length };
}
