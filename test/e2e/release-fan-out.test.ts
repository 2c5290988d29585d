import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { OWNER } from '../support/e2e/fleet.js';
import { until } from '../support/e2e/until.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1, TEMPLATE_V1_2 } from '../support/e2e/service-template.js';

const world = useWorld();

const UPDATE_BRANCH = 'template-drift/update';

describe('a template release, end to end', () => {
  it('opens exactly one PR per service that needs it: merged for local edits, a draft with markers for a conflict', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-a', TEMPLATE_V1);
    await github.commit(OWNER, 'tpl-a', 'main', TEMPLATE_V1_1, { message: 'Logging field, CI cache' });
    await github.tag(OWNER, 'tpl-a', 'v1.1.0');
    await w.createService('a-inline', 'tpl-a', { ref: 'v1.1.0', vars: { service_name: 'inline' } });
    await w.createService('a-custom', 'tpl-a', {
      ref: 'v1.0.0', vars: { service_name: 'custom' },
      edits: { Makefile: 'install:\n\tpip install -r requirements.txt\n\ntest:\n\tpytest\n\nlint:\n\truff check .\n\nshell:\n\tpython manage.py shell\n' },
    });
    await w.createService('a-conflict', 'tpl-a', {
      ref: 'v1.0.0', vars: { service_name: 'conflict' },
      edits: { Makefile: 'install:\n\tpip install -r requirements.txt\n\ntest:\n\tpytest -x -q\n\nlint:\n\truff check .\n' },
    });

    await github.publishRelease(OWNER, 'tpl-a', 'v1.1.0', { body: 'Adds request_id to logs and a CI dependency cache.' });
    await w.settle();

    expect(await github.pulls(OWNER, 'a-inline')).toEqual([]);
    expect((await github.branches(OWNER, 'a-inline')).has(UPDATE_BRANCH)).toBe(false);

    const [custom, ...moreCustom] = await github.pulls(OWNER, 'a-custom');
    expect(moreCustom).toEqual([]);
    expect(custom).toMatchObject({ state: 'open', draft: false, title: 'Update tpl-a to v1.1.0', headRef: UPDATE_BRANCH, baseRef: 'main', labels: ['template-drift'] });
    expect(custom?.body).toContain('Adds request_id to logs');
    expect(await github.readFile(OWNER, 'a-custom', UPDATE_BRANCH, 'Makefile')).toBe(
      'install:\n\tpip install -r requirements.txt\n\ntest:\n\tpytest --maxfail=1\n\nlint:\n\truff check .\n\nshell:\n\tpython manage.py shell\n');
    expect(await github.readFile(OWNER, 'a-custom', UPDATE_BRANCH, 'logging.yml')).toContain('%(request_id)s');
    expect(await github.readFile(OWNER, 'a-custom', UPDATE_BRANCH, '.circleci/config.yml')).toContain('restore_cache');
    expect(parseAnswers((await github.readFile(OWNER, 'a-custom', UPDATE_BRANCH, '.github/template-drift.yml'))!).version).toBe('v1.1.0');

    const [conflict, ...moreConflict] = await github.pulls(OWNER, 'a-conflict');
    expect(moreConflict).toEqual([]);
    expect(conflict).toMatchObject({ state: 'open', draft: true, labels: expect.arrayContaining(['template-drift', 'template-drift:conflicts']) as unknown });
    const makefile = await github.readFile(OWNER, 'a-conflict', UPDATE_BRANCH, 'Makefile');
    expect(makefile).toContain('<<<<<<< repository\n\tpytest -x -q\n');
    expect(makefile).toContain('=======\n\tpytest --maxfail=1\n>>>>>>> template v1.1.0\n');
    expect(conflict?.body).toContain('| `Makefile` | conflict |');
  });

  it('opens the template once for a fan-out: its updates ask the template\'s host nothing again', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-once', TEMPLATE_V1);
    await github.commit(OWNER, 'tpl-once', 'main', TEMPLATE_V1_1);
    await github.tag(OWNER, 'tpl-once', 'v1.1.0');
    for (const name of ['once-a', 'once-b', 'once-c']) await w.createService(name, 'tpl-once', { ref: 'v1.0.0', vars: { service_name: name.replace('-', '_') } });
    await w.settle();
    const before = github.requests().length;
    await github.publishRelease(OWNER, 'tpl-once', 'v1.1.0', { body: 'notes' });
    await w.settle();
    for (const name of ['once-a', 'once-b', 'once-c']) expect(await github.pulls(OWNER, name)).toHaveLength(1);
    const requests = github.requests().slice(before);
    // The fan-out's own release list (ls-remote) and fetch; three updates add none (five without
    // what the fan-out keeps for them: an ls-remote each).
    expect(requests.filter((r) => r.path.startsWith(`/${OWNER}/tpl-once.git/`) && r.path.includes('info/refs'))).toHaveLength(2);
    // The fan-out asked GitHub for the template once and read each answers file; its jobs carry what
    // it read, so the updates ask for neither repository nor answers file again (ten more requests before).
    const api = (path: string) => requests.filter((r) => r.method === 'GET' && decodeURIComponent(r.path.split('?')[0]!) === path).length;
    expect(api(`/repos/${OWNER}/tpl-once`)).toBe(1);
    // The release notes' list is read by the first update and serves the others (one each before).
    expect(api(`/repos/${OWNER}/tpl-once/releases`)).toBe(1);
    for (const name of ['once-a', 'once-b', 'once-c']) {
      expect(api(`/repos/${OWNER}/${name}`)).toBe(0);
      expect(api(`/repos/${OWNER}/${name}/contents/.github/template-drift.yml`)).toBe(1);
      // Each update's git: the clone, which also tells whether the update branch exists (a ref
      // listing and a pack; the template's bytes stand in for every file it reads), and the push.
      // Before, an ls-remote of the update branch came between them.
      const git = requests.filter((r) => r.path.startsWith(`/${OWNER}/${name}.git/`)).map((r) => `${r.method} ${r.path.split('.git/')[1]}`);
      expect(git).toEqual(['GET info/refs', 'POST git-upload-pack', 'POST git-upload-pack', 'GET info/refs', 'POST git-receive-pack']);
    }
  });

  it('reads an answers file changed after the fan-out read it from the repository, not the text its job carries', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-stale', TEMPLATE_V1);
    await github.commit(OWNER, 'tpl-stale', 'main', TEMPLATE_V1_1);
    await github.tag(OWNER, 'tpl-stale', 'v1.1.0');
    await w.createService('stale-a', 'tpl-stale', { ref: 'v1.0.0', vars: { service_name: 'before' } });
    await w.settle();
    // The fan-out has read the answers file and waits on the template's host while a person changes that file.
    github.stallGit(OWNER, 'tpl-stale');
    await github.publishRelease(OWNER, 'tpl-stale', 'v1.1.0', { body: 'notes' });
    await until('the fan-out waits on the template host', () => github.stalledGitRequests(OWNER, 'tpl-stale') > 0);
    const answers = (await github.readFile(OWNER, 'stale-a', 'main', '.github/template-drift.yml'))!;
    expect(answers).toContain('before');
    await github.commit(OWNER, 'stale-a', 'main', { '.github/template-drift.yml': answers.replaceAll('before', 'after') }, { deliver: false });
    github.resumeGit(OWNER, 'tpl-stale');
    await w.settle();
    const [pull, ...more] = await github.pulls(OWNER, 'stale-a');
    expect(more).toEqual([]);
    expect(pull).toMatchObject({ state: 'open', title: 'Update tpl-stale to v1.1.0' });
    expect(parseAnswers((await github.readFile(OWNER, 'stale-a', UPDATE_BRANCH, '.github/template-drift.yml'))!).variables).toMatchObject({ service_name: 'after' });
    expect(await github.readFile(OWNER, 'stale-a', UPDATE_BRANCH, 'Dockerfile')).toContain('"after.wsgi"');
  });

  it('gives one PR per repository at the newest version after a redelivery and two quick releases', async () => {
    const w = world();
    const { github } = w;
    await w.publishTemplate('tpl-b', TEMPLATE_V1);
    await w.createService('b-svc', 'tpl-b', { ref: 'v1.0.0', vars: { service_name: 'bsvc' } });

    await github.commit(OWNER, 'tpl-b', 'main', TEMPLATE_V1_1);
    const first = await github.publishRelease(OWNER, 'tpl-b', 'v1.1.0', { body: 'one' });
    await github.redeliver(first.id);
    await github.commit(OWNER, 'tpl-b', 'main', TEMPLATE_V1_2);
    await github.publishRelease(OWNER, 'tpl-b', 'v1.2.0', { body: 'two' });
    await github.redeliver(first.id);
    await w.settle();

    const pulls = await github.pulls(OWNER, 'b-svc');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ state: 'open', title: 'Update tpl-b to v1.2.0' });
    expect(await github.readFile(OWNER, 'b-svc', UPDATE_BRANCH, 'Dockerfile')).toContain('python:3.13-slim');
    expect(parseAnswers((await github.readFile(OWNER, 'b-svc', UPDATE_BRANCH, '.github/template-drift.yml'))!).version).toBe('v1.2.0');
    const branchHead = await github.commitInfo(OWNER, 'b-svc', UPDATE_BRANCH);
    expect(branchHead.parents).toEqual([(await github.branches(OWNER, 'b-svc')).get('main')]);
  });

  it('after a PR is closed unmerged, offers only the newer release', async () => {
    const w = world();
    const { github } = w;
    const declined = await w.serviceWithUpdatePull('tpl-c', 'c-svc', { v1: TEMPLATE_V1, v1_1: TEMPLATE_V1_1 });
    await github.closePull(OWNER, 'c-svc', declined.number);
    await w.settle();

    // The same release again (a redelivery) does not come back...
    await github.redeliver(github.deliveries().filter((d) => d.event === 'release').at(-1)!.id);
    await w.settle();
    expect((await github.pulls(OWNER, 'c-svc')).filter((pull) => pull.state === 'open')).toEqual([]);

    // ...a newer one does, as a fresh PR.
    await w.releaseTemplate('tpl-c', 'v1.2.0', TEMPLATE_V1_2, 'second');
    await w.settle();
    const open = (await github.pulls(OWNER, 'c-svc')).filter((pull) => pull.state === 'open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ title: 'Update tpl-c to v1.2.0' });
    expect(open[0]!.number).not.toBe(declined.number);
  });
});
