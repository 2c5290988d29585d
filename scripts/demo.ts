/**
 * `npm run demo`: the whole product on this machine, no GitHub account needed.
 * 1. start the local GitHub and the real app server against it;
 * 2. publish templates/django-service as acme/django-service-template v1.0.0;
 * 3. make three services from it with `template-drift init` (one later edits its CI config,
 *    one customises its Makefile, one stays untouched);
 * 4. publish v1.1.0, a real improvement (more context in every JSON log line, a ruff cache in CI,
 *    pytest stopping at the first failure), and wait for the app;
 * 5. print, per service, the pull request the app opened and what it changes;
 * 6. print the fleet page's address (with its token) and the Template adoption issue's, and
 *    where each service stands there.
 * `npm run demo -- --keep` leaves everything running to browse the API and clone the repos.
 */
import { randomBytes } from 'node:crypto';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OWNER, World } from '../test/support/e2e/fleet.js';
import type { Tree } from '../test/support/git-tree.js';

const TEMPLATE = 'django-service-template';
const TEMPLATE_DIR = fileURLToPath(new URL('../templates/django-service', import.meta.url));
const keep = process.argv.includes('--keep');
const PAGE_TOKEN = randomBytes(12).toString('hex');

async function main(): Promise<void> {
  const world = await World.start({
    env: { TEMPLATE_DRIFT_DASHBOARD_TOKEN: PAGE_TOKEN, TEMPLATE_DRIFT_DASHBOARD_ISSUE: 'true', TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S: '1' },
  });
  const { github } = world;
  try {
    say(`template-drift demo: local GitHub at ${github.url}, app at ${world.app.url}\n`);

    const source = join(world.scratch, 'django-service');
    await cp(TEMPLATE_DIR, source, { recursive: true });
    await world.publishTemplate(TEMPLATE, await readTree(source));
    say(`1. Published ${OWNER}/${TEMPLATE} v1.0.0 from templates/django-service`);

    await world.createService('payments', TEMPLATE, { ref: 'v1.0.0', vars: { service_name: 'payments' } });
    await editService(world, 'payments', '.circleci/config.yml', (text) => text.replace(/\n {6}- run:\n {10}name: Lint\n {10}command: make lint/, ''), 'CI: skip lint for now');
    await world.createService('orders', TEMPLATE, { ref: 'v1.0.0', vars: { service_name: 'orders', log_level: 'DEBUG' } });
    await editService(world, 'orders', 'Makefile', (text) => `${text}\nshell: ## Open a Django shell\n\t$(PYTHON) manage.py shell\n`, 'Makefile: add a shell target');
    await world.createService('inventory', TEMPLATE, { ref: 'v1.0.0', vars: { service_name: 'inventory', ci: 'github-actions' } });
    say('2. Made three services from it with `template-drift init`:');
    say('   payments  then edited its CI config (dropped the lint step)');
    say('   orders    then customised its Makefile (a shell target)');
    say('   inventory untouched (GitHub Actions instead of CircleCI)');

    await world.releaseTemplate(TEMPLATE, 'v1.1.0', await improvement(source), [
      '- Every JSON log line now carries the module and line number that logged it.',
      '- CI caches ruff between runs.',
      '- `make test` stops at the first failure.',
    ].join('\n'));
    say('3. Published v1.1.0: module and line in every JSON log line, a ruff cache in CI, `make test` stops at the first failure');
    await world.settle();
    say('4. The app answered the release with these pull requests:\n');

    for (const service of ['payments', 'orders', 'inventory']) await report(world, service);
    await reportFleet(world);
    github.assertNoViolations();

    if (keep) {
      say('Everything keeps running (Ctrl-C to stop). Try:');
      say(`  curl ${github.apiUrl}/repos/${OWNER}/payments/pulls`);
      say(`  git clone ${github.cloneUrl(OWNER, 'payments')} && git -C payments log --oneline --all`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await world.stop();
  }
}

async function report(world: World, service: string): Promise<void> {
  const { github } = world;
  const pulls = (await github.pulls(OWNER, service)).filter((pull) => pull.state === 'open');
  if (pulls.length === 0) {
    say(`${OWNER}/${service}: no pull request (already in line)\n`);
    return;
  }
  for (const pull of pulls) {
    say(`${OWNER}/${service} #${pull.number}: ${pull.title}${pull.draft ? ' (draft: conflicts)' : ''}`);
    say(`  ${github.url}/${OWNER}/${service}/pull/${pull.number}  labels: ${pull.labels.join(', ')}`);
    const compare = await fetch(`${github.apiUrl}/repos/${OWNER}/${service}/compare/${pull.baseRef}...${pull.headRef}`);
    const { files = [] } = (await compare.json()) as { files?: { filename: string; status: string; additions: number; deletions: number }[] };
    const [added, removed] = files.reduce(([a, d], file) => [a + file.additions, d + file.deletions], [0, 0]);
    say(`  ${files.length} files changed, +${added} -${removed}`);
    const why = new Map([...pull.body.matchAll(/^\| `([^`]+)` \| [^|]+ \| (.+) \|$/gm)].map((row) => [row[1], row[2]]));
    for (const file of files) {
      const counts = `+${file.additions} -${file.deletions}`.padEnd(8);
      say(`    ${file.filename.padEnd(36)} ${counts} ${why.get(file.filename) ?? 'records the new template version'}`);
    }
    say('');
  }
}

/** The fleet views: the page (its token in the address once, then a cookie) and the dashboard issue. */
async function reportFleet(world: World): Promise<void> {
  const { github } = world;
  say(`5. The fleet page: ${world.app.url}/template-drift/fleet?token=${PAGE_TOKEN}`);
  const [issue] = github.issues(OWNER, TEMPLATE).filter((candidate) => candidate.title === 'Template adoption');
  say(`   The Template adoption issue: ${issue ? `${github.url}/${OWNER}/${TEMPLATE}/issues/${issue.number}` : '(none)'}`);
  const response = await fetch(`${world.app.url}/template-drift/fleet.json`, { headers: { authorization: `Bearer ${PAGE_TOKEN}` } });
  const { templates } = (await response.json()) as { templates: { template: string; repos: { repo: string; version: string; state: string }[] }[] };
  for (const template of templates) {
    for (const repo of template.repos) {
      const shown = issue?.body.includes(`\` ${repo.repo} \``) ? 'on the issue and the page' : 'on the page';
      say(`   ${repo.repo.padEnd(16)} ${repo.version.padEnd(8)} ${repo.state.padEnd(12)} (${shown})`);
    }
  }
  say('');
}

/** v1.1.0 of the template, as a platform team would write it. */
async function improvement(source: string): Promise<Tree> {
  const edit = async (path: string, change: (text: string) => string): Promise<[string, string]> => {
    const before = await readFile(join(source, path), 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`the demo's v1.1.0 edit of ${path} no longer applies`);
    return [path, after];
  };
  return Object.fromEntries(await Promise.all([
    edit('{{service_name}}/logging_config.py.hbs', (text) => text.replace('"fmt": "%(levelname)s %(name)s %(message)s"', '"fmt": "%(levelname)s %(name)s %(module)s %(lineno)d %(message)s"')),
    edit('.circleci/config.yml.hbs', (text) => text.replace('      - run:\n          name: Lint\n', '      - restore_cache:\n          keys:\n            - ruff-v1-\\{{ .Branch }}\n      - run:\n          name: Lint\n')),
    edit('.github/workflows/ci.yml.hbs', (text) => text.replace(/(\n\s*- name: Lint\n)/, '\n      - uses: actions/cache@v4\n        with:\n          path: .ruff_cache\n          key: ruff-$\\{{ github.ref_name }}$1')),
    edit('Makefile.hbs', (text) => text.replace('\t$(PYTHON) -m pytest\n', '\t$(PYTHON) -m pytest --maxfail=1\n')),
  ]));
}

async function editService(world: World, service: string, path: string, change: (text: string) => string, message: string): Promise<void> {
  const before = await world.github.readFile(OWNER, service, 'main', path);
  const after = change(before ?? '');
  if (after === before) throw new Error(`the demo's edit of ${service}/${path} no longer applies`);
  await world.github.commit(OWNER, service, 'main', { [path]: after }, { message });
}

async function readTree(dir: string): Promise<Tree> {
  const { readdir, stat } = await import('node:fs/promises');
  const tree: Tree = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const path = full.slice(dir.length + 1);
    tree[path] = { content: await readFile(full), executable: ((await stat(full)).mode & 0o111) !== 0 };
  }
  return tree;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

await main();
