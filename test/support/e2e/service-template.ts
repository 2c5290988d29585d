import type { Tree } from '../git-tree.js';

/** A small but real service template for the end-to-end runs (the demo uses templates/django-service). */
export const TEMPLATE_V1: Tree = {
  'template.yml': `name: service-template
variables:
  service_name: { pattern: "^[a-z][a-z0-9_]*$" }
  log_level: { default: INFO, choices: [DEBUG, INFO, WARNING] }
files:
  scaffold: ["{{service_name}}/**"]
  enforce: ["Dockerfile", ".circleci/**", "logging.yml"]
`,
  'Dockerfile.hbs': 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "{{service_name}}.wsgi"]\n',
  '.circleci/config.yml': 'version: 2.1\njobs:\n  test:\n    docker: [{ image: cimg/python:3.12 }]\n    steps: [checkout, { run: make test }]\n',
  'logging.yml.hbs': 'version: 1\nformatters:\n  json: { format: "%(asctime)s %(levelname)s %(name)s %(message)s" }\nroot: { level: {{log_level}} }\n',
  'Makefile': 'install:\n\tpip install -r requirements.txt\n\ntest:\n\tpytest\n\nlint:\n\truff check .\n',
  '{{service_name}}/wsgi.py.hbs': '"""WSGI entry point of {{service_name}}."""\napplication = None\n',
};

/** v1.1.0: a logging field, a CI cache step, and a Makefile target. */
export const TEMPLATE_V1_1: Tree = {
  'logging.yml.hbs': 'version: 1\nformatters:\n  json: { format: "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s" }\nroot: { level: {{log_level}} }\n',
  '.circleci/config.yml': 'version: 2.1\njobs:\n  test:\n    docker: [{ image: cimg/python:3.12 }]\n    steps: [checkout, { restore_cache: { key: deps-v1 } }, { run: make test }]\n',
  'Makefile': 'install:\n\tpip install -r requirements.txt\n\ntest:\n\tpytest --maxfail=1\n\nlint:\n\truff check .\n',
};

/** v1.2.0: the Docker base image moves on. */
export const TEMPLATE_V1_2: Tree = {
  'Dockerfile.hbs': 'FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "{{service_name}}.wsgi"]\n',
};
