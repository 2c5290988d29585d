import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { inProcessRenderer } from '../../src/engine/render-snapshot.js';
import { TemplateStore } from '../../src/git/template-store.js';
import { scanFleet, type FleetScan, type FleetTemplate } from '../../src/workflows/scan-fleet.js';
import { API, useNock } from '../support/app-harness.js';
import { contentsPath } from '../support/github-nock.js';
import { parseAnswers } from '../../src/engine/answers-file.js';
import { TransientError } from '../../src/engine/user-error.js';
import { marker, mockAnswersText, mockRepo, mockRepositories, platform, quiet, ANSWERS, CRUFT, ISSUES } from '../support/fleet-scan-mocks.js';
import { createService, createTemplate, type ServiceFixture, type TemplateFixture } from '../support/service-fleet.js';
import { tempDir } from '../support/temp-repo.js';

useNock();

const SEEN_AT = '2026-12-01T12:00:00.000Z';
const DOCKERFILE_V11 = { 'Dockerfile.hbs': 'FROM python:3.13-slim\nENV LOG_LEVEL={{log_level}}\n' };

interface Scanned {
  readonly scan: FleetScan;
  /** How many times the scan opened a template. */
  readonly opened: number;
}

async function scan(template: TemplateFixture, options: { template?: string } = {}): Promise<Scanned> {
  const store = new TemplateStore({ cacheDir: await tempDir('td-scan-cache-') });
  let opened = 0;
  const openTemplate = async (): Promise<FleetTemplate> => {
    opened += 1;
    return { name: 'acme/service-template', repository: await store.open({ url: template.bare.url, display: 'acme/service-template' }) };
  };
  const result = await scanFleet({ platform: platform(), openTemplate, log: quiet, render: inProcessRenderer(), now: () => new Date(SEEN_AT), ...options });
  return { scan: result, opened };
}

async function answersOf(service: ServiceFixture): Promise<string> {
  return service.bare.show('main', ANSWERS);
}

/** The service's answers as cruft records them in `.cruft.json`. */
async function cruftOf(service: ServiceFixture): Promise<string> {
  const answers = parseAnswers(await answersOf(service));
  const url = 'https://github.com/acme/service-template';
  return `${JSON.stringify({ template: url, commit: answers.commit, checkout: null, context: { cookiecutter: { ...answers.variables, _template: url } }, directory: null }, null, 2)}\n`;
}

describe('the fleet scan', () => {
  it('in-line: on the latest release with every enforced file as rendered (blob ids from the trees API), the template opened once for all', async () => {
    const template = await createTemplate();
    const payments = await createService(template, 'payments');
    // A file the template merges (not enforces) may differ: still in line.
    await payments.commit({ Makefile: 'test:\n\tpytest -x\n' });
    const orders = await createService(template, 'orders');
    const api = nock(API);
    mockRepositories(api, ['orders', 'payments']);
    await mockRepo(api, 'orders', await answersOf(orders), { tree: orders });
    await mockRepo(api, 'payments', await answersOf(payments), { tree: payments });

    const { scan: result, opened } = await scan(template);

    expect(result.entries).toEqual([
      { repo: 'acme/orders', template: 'acme/service-template', version: 'v1.0.0', commit: expect.stringMatching(/^[0-9a-f]{40}$/) as unknown, latest: 'v1.0.0', state: 'in-line', seenAt: SEEN_AT },
      { repo: 'acme/payments', template: 'acme/service-template', version: 'v1.0.0', commit: expect.stringMatching(/^[0-9a-f]{40}$/) as unknown, latest: 'v1.0.0', state: 'in-line', seenAt: SEEN_AT },
    ]);
    expect(result.due).toEqual([]);
    expect(opened).toBe(1);
  });

  it('drifted: on the latest release but an enforced file differs, or is missing; an ignored one does not count', async () => {
    const template = await createTemplate();
    const edited = await createService(template, 'edited');
    await edited.commit({ Dockerfile: 'FROM python:3.11\n' });
    const removed = await createService(template, 'removed');
    await removed.commit({ '.circleci/config.yml': null });
    const ignoring = await createService(template, 'ignoring');
    await ignoring.commit({ Dockerfile: 'FROM python:3.11\n', [ANSWERS]: `${await answersOf(ignoring)}ignore: [Dockerfile]\n` });
    const api = nock(API);
    mockRepositories(api, ['edited', 'ignoring', 'removed']);
    for (const service of [edited, ignoring, removed]) {
      const name = service.work.split('/').pop()!;
      await mockRepo(api, name, await answersOf(service), { tree: service });
    }

    const { scan: result } = await scan(template);

    expect(result.entries.map((entry) => [entry.repo, entry.state])).toEqual([
      ['acme/edited', 'drifted'], ['acme/ignoring', 'in-line'], ['acme/removed', 'drifted'],
    ]);
    expect(result.due).toEqual([]);
  });

  it('behind: an older release recorded, no update PR open, none declined: due for an update to the latest', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const payments = await createService(template, 'payments');
    const api = nock(API);
    mockRepositories(api, ['payments']);
    // A merged PR to the latest, and a declined older one, are no decline of the latest.
    await mockRepo(api, 'payments', await answersOf(payments), { closedPulls: [
      { number: 2, owner: 'acme', repo: 'payments', state: 'closed', merged: true, body: marker('v1.1.0') },
      { number: 1, owner: 'acme', repo: 'payments', state: 'closed', body: marker('v1.0.5') },
    ] });

    const { scan: result } = await scan(template);

    expect(result.entries).toMatchObject([{ repo: 'acme/payments', version: 'v1.0.0', latest: 'v1.1.0', state: 'behind' }]);
    expect(result.entries[0]).not.toHaveProperty('url');
    expect(result.due).toEqual([{ repo: { owner: 'acme', repo: 'payments' }, template: 'acme/service-template', target: 'v1.1.0' }]);
  });

  it('declined: the update PR to the latest was closed unmerged; not due', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const payments = await createService(template, 'payments');
    const api = nock(API);
    mockRepositories(api, ['payments']);
    await mockRepo(api, 'payments', await answersOf(payments), { closedPulls: [{ number: 4, owner: 'acme', repo: 'payments', state: 'closed', body: marker('v1.1.0') }] });

    const { scan: result } = await scan(template);

    expect(result.entries).toMatchObject([{ repo: 'acme/payments', state: 'declined', url: 'https://github.com/acme/payments/pull/4' }]);
    expect(result.due).toEqual([]);
  });

  it('update-open and conflicts: the app\'s open PR, told apart by its conflict label; due only when it goes to an older version', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const services = await Promise.all(['clean', 'conflicted', 'stale'].map((name) => createService(template, name)));
    const api = nock(API);
    mockRepositories(api, ['clean', 'conflicted', 'stale']);
    await mockRepo(api, 'clean', await answersOf(services[0]!), { openPulls: [{ number: 5, owner: 'acme', repo: 'clean', body: marker('v1.1.0'), labels: ['template-drift'] }], closedPulls: [] });
    await mockRepo(api, 'conflicted', await answersOf(services[1]!), {
      openPulls: [{ number: 6, owner: 'acme', repo: 'conflicted', body: marker('v1.1.0'), draft: true, labels: ['template-drift', 'template-drift:conflicts'] }], closedPulls: [],
    });
    // Its PR still goes to v1.0.5 (the fan-out that would have refreshed it was lost): refreshed by a reconcile.
    await mockRepo(api, 'stale', await answersOf(services[2]!), { openPulls: [{ number: 7, owner: 'acme', repo: 'stale', body: marker('v1.0.5'), labels: ['template-drift'] }], closedPulls: [] });

    const { scan: result } = await scan(template);

    expect(result.entries.map((entry) => [entry.repo, entry.state, entry.url])).toEqual([
      ['acme/clean', 'update-open', 'https://github.com/acme/clean/pull/5'],
      ['acme/conflicted', 'conflicts', 'https://github.com/acme/conflicted/pull/6'],
      ['acme/stale', 'update-open', 'https://github.com/acme/stale/pull/7'],
    ]);
    expect(result.due.map((due) => due.repo.repo)).toEqual(['stale']);
  });

  it('action-required: the app\'s open issue (a closed one is history), or an answers file or template the scan cannot read', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const blocked = await createService(template, 'blocked');
    const fixed = await createService(template, 'fixed');
    const api = nock(API);
    mockRepositories(api, ['blocked', 'broken', 'fixed', 'untagged']);
    await mockRepo(api, 'blocked', await answersOf(blocked), { issue: 'open', closedPulls: [] });
    await mockRepo(api, 'fixed', await answersOf(fixed), { issue: 'closed', closedPulls: [] });
    mockAnswersText(api, 'broken', 'template: acme/service-template\nversion: v1.0.0\nvariables: [not, a, mapping]\n');
    api.get('/repos/acme/broken/issues').query(ISSUES).reply(200, []);
    // Records a version the template does not have.
    await mockRepo(api, 'untagged', 'template: acme/service-template\nversion: v0.9.0\nvariables: { service_name: untagged }\n', {});

    const { scan: result } = await scan(template);

    expect(result.entries.map((entry) => [entry.repo, entry.state])).toEqual([
      ['acme/blocked', 'action-required'], ['acme/broken', 'action-required'], ['acme/fixed', 'behind'], ['acme/untagged', 'action-required'],
    ]);
    expect(result.entries[0]).toMatchObject({ url: 'https://github.com/acme/blocked/issues/3' });
    expect(result.entries[1]).toMatchObject({ template: 'acme/service-template', version: 'v1.0.0', problem: expect.stringContaining('variables') as unknown });
    expect(result.entries[3]).toMatchObject({ problem: expect.stringContaining('v0.9.0') as unknown });
    // Behind with its issue open, it still gets its update (the update reports or resolves the problem).
    expect(result.due.map((due) => due.repo.repo)).toEqual(['blocked', 'fixed']);
  });

  it('reads repositories that cruft manages as they are: .cruft.json\'s commit is the version, its template the row\'s; an unreadable one is listed with its template', async () => {
    const template = await createTemplate();
    await template.release('v1.1.0', DOCKERFILE_V11);
    const legacy = await createService(template, 'legacy');
    const api = nock(API);
    mockRepositories(api, ['broken', 'legacy']);
    mockAnswersText(api, 'broken', '{"template": "https://github.com/acme/service-template", "commit": "not-a-sha"}\n', CRUFT);
    api.get('/repos/acme/broken/issues').query(ISSUES).reply(200, []);
    await mockRepo(api, 'legacy', await cruftOf(legacy), { file: CRUFT, closedPulls: [] });

    const { scan: result } = await scan(template);

    const commit = parseAnswers(await answersOf(legacy)).commit!;
    expect(result.entries).toMatchObject([
      { repo: 'acme/broken', template: 'https://github.com/acme/service-template', version: 'not-a-sha', state: 'action-required', problem: expect.stringContaining('.cruft.json') as unknown },
      { repo: 'acme/legacy', template: 'acme/service-template', version: commit, commit, latest: 'v1.1.0', state: 'behind' },
    ]);
    expect(result.due).toEqual([{ repo: { owner: 'acme', repo: 'legacy' }, template: 'acme/service-template', target: 'v1.1.0' }]);
  });

  it('leaves out repositories without an answers file, archived ones (unread), other templates\' with --template, and lists unreadable ones apart', async () => {
    const template = await createTemplate();
    const payments = await createService(template, 'payments');
    const api = nock(API);
    mockRepositories(api, ['docs', 'legacy', 'other', 'payments', 'flaky'], ['legacy']);
    mockAnswersText(api, 'docs', undefined);
    mockAnswersText(api, 'other', 'template: acme/other-template\nversion: v1.0.0\n');
    await mockRepo(api, 'payments', await answersOf(payments), { tree: payments });
    api.get(contentsPath('acme', 'flaky', ANSWERS)).reply(500, { message: 'Server Error' });

    const { scan: result } = await scan(template, { template: 'ACME/service-template' });

    expect(result.entries.map((entry) => entry.repo)).toEqual(['acme/payments']);
    expect(result.failures).toEqual([{ repo: 'acme/flaky', message: expect.stringContaining('Server Error') as unknown }]);
  });

  it('a template host that fails for now (a 502) fails the repository\'s scan: no "action required" row for what nobody broke', async () => {
    const template = await createTemplate();
    const payments = await createService(template, 'payments');
    const api = nock(API);
    mockRepositories(api, ['payments']);
    await mockRepo(api, 'payments', await answersOf(payments), {});
    const openTemplate = () => Promise.reject(new TransientError('Cannot read template https://github.com/acme/service-template: The requested URL returned error: 502'));

    const result = await scanFleet({ platform: platform(), openTemplate, log: quiet, render: inProcessRenderer(), now: () => new Date(SEEN_AT) });

    expect(result.entries).toEqual([]);
    expect(result.failures).toEqual([{ repo: 'acme/payments', message: expect.stringContaining('502') as unknown }]);
  });
});
