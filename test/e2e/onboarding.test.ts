import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { OWNER } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';

const world = useWorld();

const ONBOARDING = 'template-drift/onboarding';
const ANSWERS = '.github/template-drift.yml';

describe('onboarding a repository made with "Use this template", end to end', () => {
  it('opens one PR that renders the template in place; merged, the next release updates the repository', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-onb', TEMPLATE_V1);
    await github.updateRepo(OWNER, 'tpl-onb', { isTemplate: true });
    const tagged = await github.commitInfo(OWNER, 'tpl-onb', 'v1.0.0');

    await github.generateRepo(OWNER, 'tpl-onb', { owner: OWNER, name: 'onb-svc' });
    await w.settle();

    const [pull, ...more] = await github.pulls(OWNER, 'onb-svc');
    expect(more).toEqual([]);
    expect(pull).toMatchObject({ state: 'open', draft: false, headRef: ONBOARDING, baseRef: 'main', title: 'Set up template-drift: follow tpl-onb from v1.0.0' });
    const read = (path: string) => github.readFile(OWNER, 'onb-svc', ONBOARDING, path);
    // The raw template files are gone, the rendered ones are there.
    for (const raw of ['template.yml', 'Dockerfile.hbs', 'logging.yml.hbs', '{{service_name}}/wsgi.py.hbs']) expect(await read(raw)).toBeUndefined();
    expect(await read('Dockerfile')).toContain('CMD ["gunicorn", "onb_svc.wsgi"]');
    expect(await read('logging.yml')).toContain('root: { level: INFO }');
    expect(await read('onb_svc/wsgi.py')).toBe('"""WSGI entry point of onb_svc."""\napplication = None\n');
    expect(await read('Makefile')).toBe(TEMPLATE_V1['Makefile']);
    const answers = parseAnswers((await read(ANSWERS))!);
    expect(answers).toMatchObject({ template: 'acme/tpl-onb', version: 'v1.0.0', commit: tagged.sha, variables: { service_name: 'onb_svc', log_level: 'INFO' } });
    expect(pull!.body).toContain('its tree matches');
    expect(pull!.body).toContain("| `service_name` | ` onb_svc ` | the repository's name |");
    expect(pull!.body).toContain('/sync-template');
    // The check run leaves the app's own PR alone.
    expect(github.checkRuns(OWNER, 'onb-svc')).toEqual([]);

    await github.mergePull(OWNER, 'onb-svc', pull!.number);
    await w.settle();
    expect((await github.branches(OWNER, 'onb-svc')).has(ONBOARDING)).toBe(false);
    await w.releaseTemplate('tpl-onb', 'v1.1.0', TEMPLATE_V1_1, 'request ids in logs');
    await w.settle();
    const open = (await github.pulls(OWNER, 'onb-svc')).filter((p) => p.state === 'open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ headRef: 'template-drift/update', title: 'Update tpl-onb to v1.1.0' });
    expect(await github.readFile(OWNER, 'onb-svc', 'template-drift/update', 'logging.yml')).toContain('%(request_id)s');
  });

  it('a required variable nothing answers is a question: a draft PR with only the answers file; answered on the branch and /sync-template, it renders', async () => {
    const w = world();
    const { github } = w;
    const manifest = (TEMPLATE_V1['template.yml'] as string).replace('variables:\n', 'variables:\n  team: { description: "the owning team", pattern: "^[a-z]+$" }\n');
    await w.publishTemplate('tpl-onb-q', { ...TEMPLATE_V1, 'template.yml': manifest, 'OWNERS.hbs': '{{team}}\n' });
    await github.updateRepo(OWNER, 'tpl-onb-q', { isTemplate: true });
    await github.generateRepo(OWNER, 'tpl-onb-q', { owner: OWNER, name: 'onb-question' });
    await w.settle();

    const [pull] = await github.pulls(OWNER, 'onb-question');
    expect(pull).toMatchObject({ state: 'open', draft: true, headRef: ONBOARDING });
    expect(pull!.body).toContain('### Questions');
    expect(pull!.body).toContain('`team`: the owning team');
    expect(await github.readFile(OWNER, 'onb-question', ONBOARDING, 'Dockerfile.hbs')).toBe(TEMPLATE_V1['Dockerfile.hbs']);
    expect(await github.readFile(OWNER, 'onb-question', ONBOARDING, 'Dockerfile')).toBeUndefined();
    const asked = (await github.readFile(OWNER, 'onb-question', ONBOARDING, ANSWERS))!;
    expect(asked).toMatch(/team: null # question: the owning team/);

    await github.commit(OWNER, 'onb-question', ONBOARDING, { [ANSWERS]: asked.replace(/team: null.*/, 'team: payments') }, { message: 'Answer the team' });
    github.setPermission(OWNER, 'onb-question', 'octo-person', 'write');
    await github.comment(OWNER, 'onb-question', pull!.number, 'octo-person', '/sync-template');
    await w.settle();

    expect(await github.readFile(OWNER, 'onb-question', ONBOARDING, 'OWNERS')).toBe('payments\n');
    expect(await github.readFile(OWNER, 'onb-question', ONBOARDING, 'Dockerfile')).toContain('onb_question.wsgi');
    expect(await github.readFile(OWNER, 'onb-question', ONBOARDING, 'Dockerfile.hbs')).toBeUndefined();
    const history = await github.commitInfo(OWNER, 'onb-question', ONBOARDING);
    expect((await github.commitInfo(OWNER, 'onb-question', history.parents[0]!)).message).toContain('Answer the team');
    const [reply] = github.comments(OWNER, 'onb-question', pull!.number).filter((c) => c.user !== 'octo-person').map((c) => c.body);
    expect(reply).toContain('rendered v1.0.0 again');
    expect((await github.pull(OWNER, 'onb-question', pull!.number)).body).not.toContain('### Questions');
  });

  it('closed unmerged, the repository is never onboarded again', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-onb-x', TEMPLATE_V1);
    await github.updateRepo(OWNER, 'tpl-onb-x', { isTemplate: true });
    const { delivery } = await github.generateRepo(OWNER, 'tpl-onb-x', { owner: OWNER, name: 'onb-declined' });
    await w.settle();
    const [pull] = await github.pulls(OWNER, 'onb-declined');
    await github.closePull(OWNER, 'onb-declined', pull!.number);
    await w.settle();

    await github.redeliver(delivery.id);
    await w.settle();
    const pulls = await github.pulls(OWNER, 'onb-declined');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ number: pull!.number, state: 'closed' });
  });
});
