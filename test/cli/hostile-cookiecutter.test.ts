import { beforeAll, describe, expect, it } from 'vitest';
import { renderLimits } from '../../src/engine/render-budget.js';
import { fixtureTree } from '../engine/cookiecutter/fixture-files.js';
import { suiteTempDir } from '../git/suite-repo.js';
import type { Tree } from '../support/git-tree.js';
import { runTemplateDrift } from '../support/run-cli.js';
import { TestRepo } from '../support/temp-repo.js';
import { cli, cliContext, expectCleanFailure, initService, sharedCache, treeState } from './cli-fixtures.js';

const HUGE = "{{ 'x' * 2000000000 }}";
const TOP = '{{cookiecutter.project_slug}}';

/** The service fixture with `extra` files and cookiecutter.json variables added. */
async function serviceTemplate(files: Tree, variables: Record<string, unknown> = {}): Promise<Tree> {
  const tree = await fixtureTree('service');
  const context = JSON.parse(String((tree['cookiecutter.json'] as { content: Buffer }).content)) as Record<string, unknown>;
  return { ...tree, 'cookiecutter.json': `${JSON.stringify({ ...context, ...variables }, null, 2)}\n`, ...files };
}

describe('a hostile cookiecutter template in the CLI', () => {
  let cache: string;
  beforeAll(async () => {
    cache = await sharedCache();
  });

  it("'x' * 2000000000 in a file, in a default and in a path: exit 2, one message naming where and the memory limit", async () => {
    const cases: [Tree, Record<string, unknown>, RegExp][] = [
      [{ [`${TOP}/bomb.txt`]: `${HUGE}\n` }, {}, /^template-drift: \{\{cookiecutter\.project_slug\}\}\/bomb\.txt: rendering used more than 856 MB of memory, the render limit \(it grows with TEMPLATE_DRIFT_MAX_RENDER_MB\); rendering stopped\n$/],
      [{}, { bomb: HUGE }, /^template-drift: cookiecutter\.json: default of "bomb": rendering used more than 856 MB of memory/],
      [{ [`${TOP}/${HUGE}.txt`]: 'text\n' }, {}, /^template-drift: path of \{\{cookiecutter\.project_slug\}\}\/\{\{ 'x' \* 2000000000 \}\}\.txt: rendering used more than 856 MB of memory/],
    ];
    for (const [files, variables, message] of cases) {
      const template = await TestRepo.create(await serviceTemplate(files, variables), 'td-hostile-cc-', suiteTempDir);
      const run = await cli(await cliContext(cache), 'render', '--template', template.dir, '--out', 'out');
      expectCleanFailure(run, message);
    }
  });

  it('an update to a hostile release fails the same way and changes nothing in the repository', async () => {
    const template = await TestRepo.create(await serviceTemplate({}), 'td-hostile-cc-', suiteTempDir);
    await template.release('v1.0.0');
    const context = await cliContext(cache);
    const service = await initService(context, template.dir, 'svc', '--ref', 'v1.0.0');
    await template.release('v1.1.0', await serviceTemplate({}, { bomb: HUGE }));
    const before = await treeState(service);
    expectCleanFailure(await cli(context, 'update', service), /^template-drift: cookiecutter\.json: default of "bomb": rendering used more than 856 MB of memory/);
    expect(await treeState(service)).toEqual(before);
  });

  it('a render that runs past its time: exit 2 naming TEMPLATE_DRIFT_MAX_RENDER_S', async () => {
    const endless = "{% for i in range(100000) %}{{ ('x' * 1000000)|upper|length }}{% endfor %}";
    const template = await TestRepo.create(await serviceTemplate({ [`${TOP}/slow.txt`]: endless }), 'td-hostile-cc-', suiteTempDir);
    const run = await runTemplateDrift(['render', '--template', template.dir, '--out', 'out'], { ...(await cliContext(cache)), renderLimits: renderLimits(undefined, '0.5') });
    expectCleanFailure(run, /^template-drift: The template at main: rendering took longer than 0\.5 s, the render limit \(TEMPLATE_DRIFT_MAX_RENDER_S\); rendering stopped\n$/);
  });
});
