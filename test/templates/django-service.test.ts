import { execFile } from 'node:child_process';
import { access, appendFile, cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { runTemplateDrift } from '../support/run-cli.js';
import { git, tempDir, TestRepo } from '../support/temp-repo.js';

const exec = promisify(execFile);

/** The built-in template, as shipped in the package. */
const TEMPLATE_SOURCE = fileURLToPath(new URL('../../templates/django-service', import.meta.url));

type Vars = Record<string, string>;

interface Rendered {
  readonly dir: string;
  /** Every file written, relative paths with `/`, sorted. */
  readonly paths: readonly string[];
  read(path: string): Promise<string>;
  has(path: string): boolean;
}

/** The template committed to a repository of its own and released as v1.0.0, as a platform team would. */
async function templateRepository(): Promise<TestRepo> {
  const template = await TestRepo.create({}, 'td-django-template-');
  await cp(TEMPLATE_SOURCE, template.dir, { recursive: true });
  await template.release('v1.0.0');
  return template;
}

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(root, path)));
    else files.push(path);
  }
  return files.sort();
}

function varArgs(vars: Vars): string[] {
  return Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}=${value}`]);
}

async function renderTemplate(template: TestRepo, vars: Vars): Promise<Rendered> {
  const work = await tempDir('td-django-work-');
  const dir = join(work, 'service');
  const run = await runTemplateDrift(['render', '--template', template.dir, ...varArgs(vars), '--out', dir], {
    cwd: work,
    cacheDir: await tempDir('td-cache-'),
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const paths = await listFiles(dir);
  return {
    dir,
    paths,
    read: (path) => readFile(join(dir, path), 'utf8'),
    has: (path) => paths.includes(path),
  };
}

/** Every YAML file parses, without errors or warnings. */
async function expectYamlParses(rendered: Rendered): Promise<void> {
  const yamlFiles = rendered.paths.filter((path) => /\.ya?ml$/.test(path));
  expect(yamlFiles.length).toBeGreaterThanOrEqual(2);
  for (const path of yamlFiles) {
    const doc = parseDocument(await rendered.read(path));
    expect(doc.errors.map(String), path).toEqual([]);
    expect(doc.warnings.map(String), path).toEqual([]);
  }
}

/** Every Python file compiles (bytecode goes to a throwaway folder, not into the output). */
async function expectPythonCompiles(rendered: Rendered): Promise<void> {
  const pythonFiles = rendered.paths.filter((path) => path.endsWith('.py'));
  expect(pythonFiles.length).toBeGreaterThan(8);
  const env = { ...process.env, PYTHONPYCACHEPREFIX: await tempDir('td-pycache-') };
  await exec('python3', ['-m', 'py_compile', ...pythonFiles], { cwd: rendered.dir, env });
}

async function expectMakefileUsable(rendered: Rendered): Promise<void> {
  const makefile = await rendered.read('Makefile');
  for (const target of ['help', 'install', 'test', 'lint', 'run', 'migrate', 'docker-build']) {
    expect(makefile).toMatch(new RegExp(`^${target}:`, 'm'));
  }
  expect(makefile, 'recipes are indented with tabs, never spaces').not.toMatch(/^ +\S/m);
  // make itself reads it: a space-indented recipe or a bad rule fails here.
  const { stdout } = await exec('make', ['--dry-run', 'install', 'test', 'lint', 'migrate', 'docker-build'], { cwd: rendered.dir });
  expect(stdout).toContain('-m pytest');
  expect(stdout).toContain('-m ruff check .');
}

function expectDockerfileShape(dockerfile: string, port: string): void {
  const stages = dockerfile.match(/^FROM .+$/gm) ?? [];
  expect(stages).toHaveLength(2);
  expect(stages[0]).toMatch(/ AS builder$/);
  expect(dockerfile).toMatch(/^COPY --from=builder /m);
  expect(dockerfile).toMatch(/^HEALTHCHECK .*\\\n\s+CMD .*\/health\//m);
  const users = dockerfile.match(/^USER (\S+)$/gm) ?? [];
  expect(users).toEqual(['USER app']);
  // The unprivileged user is the one the runtime stage ends with.
  expect(dockerfile.lastIndexOf('USER app')).toBeGreaterThan(dockerfile.lastIndexOf('FROM '));
  expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
}

async function isExecutable(rendered: Rendered, path: string): Promise<boolean> {
  return ((await stat(join(rendered.dir, path))).mode & 0o111) !== 0;
}

interface GithubWorkflow {
  concurrency: { group: string; 'cancel-in-progress': string };
  jobs: Record<string, { env?: Record<string, string>; steps: { uses?: string; run?: string; with?: Record<string, string> }[] }>;
}

interface CircleConfig {
  executors: { python: { docker: { image: string }[] } };
  jobs: Record<string, { steps: unknown[] }>;
  workflows: { ci: { jobs: unknown[] } };
}

const DEFAULT_PATHS = [
  '.circleci/config.yml',
  '.dockerignore',
  '.env.example',
  '.gitignore',
  '.python-version',
  'Dockerfile',
  'Makefile',
  'README.md',
  'docker-compose.yml',
  'gunicorn.conf.py',
  'manage.py',
  'newrelic.ini',
  'payments/__init__.py',
  'payments/asgi.py',
  'payments/health/__init__.py',
  'payments/health/apps.py',
  'payments/health/urls.py',
  'payments/health/views.py',
  'payments/logging_config.py',
  'payments/settings.py',
  'payments/urls.py',
  'payments/wsgi.py',
  'pyproject.toml',
  'requirements-dev.txt',
  'requirements.txt',
  'scripts/docker-smoke-test.sh',
  'tests/test_health.py',
];

describe('templates/django-service', () => {
  it('renders a complete service with the defaults', async () => {
    const rendered = await renderTemplate(await templateRepository(), { service_name: 'payments' });

    expect(rendered.paths).toEqual(DEFAULT_PATHS);
    expect(await isExecutable(rendered, 'manage.py')).toBe(true);
    expect(await isExecutable(rendered, 'scripts/docker-smoke-test.sh')).toBe(true);
    await exec('bash', ['-n', 'scripts/docker-smoke-test.sh'], { cwd: rendered.dir });

    const settings = await rendered.read('payments/settings.py');
    expect(settings).toContain('ROOT_URLCONF = "payments.urls"');
    expect(settings).toContain('"rest_framework",');
    expect(settings).toContain('LOGGING = logging_config.LOGGING');

    const logging = await rendered.read('payments/logging_config.py');
    expect(logging).toContain('"()": "pythonjsonlogger.json.JsonFormatter"');
    expect(logging).toContain('os.environ.get("LOG_LEVEL", "INFO")');
    expect(logging).toContain('"static_fields": {"service": "payments"}');

    const views = await rendered.read('payments/health/views.py');
    expect(views).toMatch(/class HealthView\(APIView\):/);
    expect(views).toContain('return Response({"status": "ok"})');
    expect(await rendered.read('tests/test_health.py')).toContain('assert response.json() == {"status": "ok"}');

    const requirements = await rendered.read('requirements.txt');
    expect(requirements).toMatch(/^Django~=5\.2\.0$/m);
    for (const name of ['djangorestframework', 'gunicorn', 'python-json-logger']) expect(requirements).toMatch(new RegExp(`^${name}\\b`, 'm'));
    const devRequirements = await rendered.read('requirements-dev.txt');
    for (const name of ['pytest', 'pytest-django', 'ruff']) expect(devRequirements).toMatch(new RegExp(`^${name}\\b`, 'm'));

    expect(await rendered.read('pyproject.toml')).toContain('DJANGO_SETTINGS_MODULE = "payments.settings"');
    expect(await rendered.read('.python-version')).toBe('3.12\n');
    // Without an `origin` remote the repository has no owner: the image is just the service's name.
    expect(await rendered.read('docker-compose.yml')).toContain('image: payments:local');
    expect(await rendered.read('README.md')).toMatch(/^# payments\n\nThe payments service\n/);
  });

  const combinations: { name: string; vars: Vars }[] = [
    { name: 'circleci, sentry and new relic (defaults)', vars: { service_name: 'payments' } },
    { name: 'github-actions, sentry, no new relic', vars: { service_name: 'payments', ci: 'github-actions', use_newrelic: 'false' } },
    { name: 'circleci, new relic, no sentry', vars: { service_name: 'order_history', use_sentry: 'false' } },
    {
      name: 'github-actions, neither, other port, level and versions',
      vars: {
        service_name: 'ledger2',
        ci: 'github-actions',
        use_sentry: 'no',
        use_newrelic: 'off',
        port: '9000',
        log_level: 'DEBUG',
        python_version: '3.13',
        django_version: '5.1',
        description: 'Keeps the books & balances',
        docker_image: 'ghcr.io/acme/ledger',
      },
    },
  ];

  it.each(combinations)('renders valid files: $name', async ({ vars }) => {
    const rendered = await renderTemplate(await templateRepository(), vars);
    const service = vars.service_name!;
    const circleci = (vars.ci ?? 'circleci') === 'circleci';
    const sentry = vars.use_sentry === undefined;
    const newrelic = vars.use_newrelic === undefined;
    const port = vars.port ?? '8000';
    const python = vars.python_version ?? '3.12';
    const image = vars.docker_image ?? service.replace(/_/g, '-');

    await expectYamlParses(rendered);
    await expectPythonCompiles(rendered);
    await expectMakefileUsable(rendered);
    expect(rendered.has('TEMPLATE_README.md')).toBe(false);
    expect(rendered.has('template.yml')).toBe(false);
    expect(rendered.paths.some((path) => path.includes('{{') || path.endsWith('.hbs'))).toBe(false);
    expect(rendered.paths).toContain(`${service}/settings.py`);
    expect(rendered.paths).toContain(`${service}/logging_config.py`);

    // No Handlebars escape is left behind, and outside the CI files no braces at all.
    for (const path of rendered.paths) {
      const text = await rendered.read(path);
      expect(text, path).not.toContain('\\{{');
      if (!path.startsWith('.circleci/') && !path.startsWith('.github/')) expect(text, path).not.toContain('{{');
    }

    const dockerfile = await rendered.read('Dockerfile');
    expectDockerfileShape(dockerfile, port);
    expect(dockerfile).toContain(`ARG PYTHON_VERSION=${python}`);
    expect(dockerfile).toContain(`DJANGO_SETTINGS_MODULE=${service}.settings`);
    expect(await rendered.read('gunicorn.conf.py')).toContain(`os.environ.get("PORT", "${port}")`);
    expect(await rendered.read(`${service}/logging_config.py`)).toContain(`os.environ.get("LOG_LEVEL", "${vars.log_level ?? 'INFO'}")`);
    expect(await rendered.read('Makefile')).toContain(`IMAGE ?= ${image}\n`);

    // Only the chosen CI system's configuration exists.
    expect(rendered.has('.circleci/config.yml')).toBe(circleci);
    expect(rendered.has('.github/workflows/ci.yml')).toBe(!circleci);
    if (circleci) {
      const text = await rendered.read('.circleci/config.yml');
      const config = parseDocument(text).toJS() as CircleConfig;
      expect(config.executors.python.docker[0]?.image).toBe(`cimg/python:${python}`);
      expect(Object.keys(config.jobs)).toEqual(['test', 'docker-build']);
      expect(text).toContain('command: make lint');
      expect(text).toContain('python -m pytest');
      // CircleCI's own template syntax survives rendering.
      expect(text).toContain('- pip-v1-{{ checksum "requirements.txt" }}-{{ checksum "requirements-dev.txt" }}');
      expect(text).toContain(`docker build --tag "${image}:\${CIRCLE_SHA1}" .`);
    } else {
      const text = await rendered.read('.github/workflows/ci.yml');
      const workflow = parseDocument(text).toJS() as GithubWorkflow;
      // GitHub Actions expressions survive rendering intact.
      expect(workflow.concurrency).toEqual({ group: 'ci-${{ github.ref }}', 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" });
      expect(workflow.jobs['docker-build']?.env).toEqual({ IMAGE: `${image}:\${{ github.sha }}` });
      expect(text).toContain('tags: ${{ env.IMAGE }}');
      expect(text).toContain('if: ${{ !cancelled() }}');
      const setupPython = workflow.jobs.test?.steps.find((step) => step.uses?.startsWith('actions/setup-python'));
      expect(setupPython?.with?.['python-version']).toBe(python);
      expect(workflow.jobs.test?.steps.map((step) => step.run)).toEqual(expect.arrayContaining(['make lint', 'python -m pytest --junitxml=test-results/junit.xml']));
    }

    // Sentry only when asked for.
    const settings = await rendered.read(`${service}/settings.py`);
    const requirements = await rendered.read('requirements.txt');
    expect(settings.includes('import sentry_sdk')).toBe(sentry);
    expect(settings.includes('sentry_sdk.init(')).toBe(sentry);
    expect(settings.includes('integrations=[DjangoIntegration()]')).toBe(sentry);
    expect(settings.includes('os.environ.get("SENTRY_DSN", "")')).toBe(sentry);
    expect(/^sentry-sdk\[django\]/m.test(requirements)).toBe(sentry);
    expect((await rendered.read('.env.example')).includes('SENTRY_DSN=')).toBe(sentry);

    // New Relic only when asked for: its config file, the agent wrapping gunicorn, the package.
    expect(rendered.has('newrelic.ini')).toBe(newrelic);
    expect(/^newrelic\b/m.test(requirements)).toBe(newrelic);
    const cmd = dockerfile.match(/^CMD .+$/gm) ?? [];
    expect(cmd).toEqual([
      newrelic
        ? `CMD ["newrelic-admin", "run-program", "gunicorn", "--config", "gunicorn.conf.py", "${service}.wsgi:application"]`
        : `CMD ["gunicorn", "--config", "gunicorn.conf.py", "${service}.wsgi:application"]`,
    ]);
    expect(dockerfile.includes('NEW_RELIC_CONFIG_FILE=/app/newrelic.ini')).toBe(newrelic);
    if (newrelic) expect(await rendered.read('newrelic.ini')).toMatch(new RegExp(`^app_name = ${service}$`, 'm'));
    expect(settings.includes('newrelic')).toBe(false);
  });

  it('refuses answers that break the variables\' rules, naming the rule', async () => {
    const template = await templateRepository();
    const work = await tempDir('td-django-work-');
    const env = { cwd: work, cacheDir: await tempDir('td-cache-') };

    const badName = await runTemplateDrift(['render', '--template', template.dir, '--var', 'service_name=Bad-Name', '--out', 'out'], env);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('"service_name" is "Bad-Name" but must match ^[a-z][a-z0-9_]*$');
    await expect(access(join(work, 'out'))).rejects.toThrow();

    const missing = await runTemplateDrift(['render', '--template', template.dir, '--out', 'out'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('"service_name"');

    const choices = await runTemplateDrift(
      ['render', '--template', template.dir, ...varArgs({ service_name: 'payments', ci: 'jenkins', log_level: 'TRACE' }), '--out', 'out'],
      env,
    );
    expect(choices.code).toBe(2);
    expect(choices.stderr).toContain('"ci" is "jenkins" but must be one of: circleci, github-actions');
    expect(choices.stderr).toContain('"log_level" is "TRACE" but must be one of: DEBUG, INFO, WARNING, ERROR');

    const quote = await runTemplateDrift(['render', '--template', template.dir, ...varArgs({ service_name: 'payments', description: 'say "hi"' }), '--out', 'out'], env);
    expect(quote.code).toBe(2);
    expect(quote.stderr).toContain('"description" is "say "hi"" but must match');
  });

  it('enforces the platform files and leaves scaffold files to the service on update', async () => {
    const template = await templateRepository();
    const work = await tempDir('td-django-work-');
    const env = { cwd: work, cacheDir: await tempDir('td-cache-') };
    const service = join(work, 'payments');
    const read = (path: string) => readFile(join(service, path), 'utf8');

    // A fresh repository on GitHub: its owner names the image.
    await mkdir(service);
    await git(service, 'init', '--quiet', '--initial-branch=main');
    await git(service, 'remote', 'add', 'origin', 'https://github.com/Acme-Corp/payments.git');
    const init = await runTemplateDrift(['init', 'payments', '--template', template.dir, '--var', 'service_name=payments'], env);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const answers = parseAnswers(await read('.github/template-drift.yml'));
    expect(answers.variables).toMatchObject({ service_name: 'payments', docker_image: 'acme-corp/payments', ci: 'circleci', port: 8000, use_sentry: true });
    expect(await read('docker-compose.yml')).toContain('image: acme-corp/payments:local');
    await git(service, 'add', '--all');
    await git(service, 'commit', '--quiet', '-m', 'from template');
    expect((await runTemplateDrift(['check', service], env)).stdout).toContain('In line with django-service v1.0.0');

    // The service edits an enforced file, a scaffold file and a merged one.
    await appendFile(join(service, 'Dockerfile'), 'RUN echo local change\n');
    await appendFile(join(service, 'payments/logging_config.py'), 'LOGGING["root"]["level"] = "DEBUG"\n');
    const views = (await read('payments/health/views.py')).replace('return Response({"status": "ok"})', 'return Response({"status": "ok", "version": "1"})');
    await writeFile(join(service, 'payments/health/views.py'), views);
    await appendFile(join(service, 'Makefile'), '\nseed: ## Load fixtures\n\t$(PYTHON) manage.py loaddata seed\n');
    await git(service, 'commit', '--quiet', '-am', 'local changes');

    // The template's next release changes the same files, and adds one.
    const templateFile = (path: string) => readFile(join(template.dir, path), 'utf8');
    await template.release('v1.1.0', {
      'Dockerfile.hbs': (await templateFile('Dockerfile.hbs')).replace('WORKDIR /app\n', 'WORKDIR /app\nLABEL org.opencontainers.image.title="{{service_name}}"\n'),
      '{{service_name}}/logging_config.py.hbs': (await templateFile('{{service_name}}/logging_config.py.hbs')).replace('"timestamp": "timestamp",', '"timestamp": "@timestamp",'),
      '{{service_name}}/health/views.py': (await templateFile('{{service_name}}/health/views.py')).replace('"""Health endpoints', '"""Health (v1.1) endpoints'),
      'Makefile.hbs': (await templateFile('Makefile.hbs')).replace('TAG ?= local', 'TAG ?= latest'),
      'tests/conftest.py': '"""Shared pytest fixtures."""\n',
    });

    const check = await runTemplateDrift(['check', service, '--json'], env);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout) as { from: string; to: string; changes: { path: string; action: string; policy: string; outcome: string; conflict: boolean }[] };
    expect(report).toMatchObject({ from: 'v1.0.0', to: 'v1.1.0' });
    // payments/health/views.py changed in the template too, but it is scaffold: the service owns
    // it, so it is kept as it is and not even reported. logging_config.py stays enforced although
    // it lives in the service's package.
    expect(report.changes.map(({ path, action, policy, outcome, conflict }) => ({ path, action, policy, outcome, conflict }))).toEqual([
      { path: 'Dockerfile', action: 'update', policy: 'enforce', outcome: 'template', conflict: false },
      { path: 'Makefile', action: 'update', policy: 'merge', outcome: 'merged', conflict: false },
      { path: 'payments/logging_config.py', action: 'update', policy: 'enforce', outcome: 'template', conflict: false },
      { path: 'tests/conftest.py', action: 'add', policy: 'scaffold', outcome: 'template', conflict: false },
    ]);

    const update = await runTemplateDrift(['update', service], env);
    expect(update.stderr).toBe('');
    expect(update.code).toBe(0);
    const dockerfile = await read('Dockerfile');
    expect(dockerfile).toContain('LABEL org.opencontainers.image.title="payments"');
    expect(dockerfile).not.toContain('local change');
    const logging = await read('payments/logging_config.py');
    expect(logging).toContain('"timestamp": "@timestamp",');
    expect(logging).not.toContain('LOGGING["root"]["level"] = "DEBUG"');
    const keptViews = await read('payments/health/views.py');
    expect(keptViews).toContain('"version": "1"');
    expect(keptViews).not.toContain('(v1.1)');
    const makefile = await read('Makefile');
    expect(makefile).toContain('TAG ?= latest');
    expect(makefile).toContain('seed: ## Load fixtures');
    expect(await read('tests/conftest.py')).toBe('"""Shared pytest fixtures."""\n');

    await git(service, 'add', '--all');
    await git(service, 'commit', '--quiet', '-m', 'template v1.1.0');
    expect((await runTemplateDrift(['check', service], env)).code).toBe(0);
  });
});
