import type nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { dashboardBody } from '../../src/engine/fleet-dashboard.js';
import { fleetReport } from '../../src/engine/fleet-report.js';
import { recordedPayload, type TestApp } from '../support/app-harness.js';
import { mockRepo, mockRepositories } from '../support/fleet-scan-mocks.js';
import {
  commentsSent, mockComment, mockGitHub, mockPermission, mockRepository, mockUpdateToNewPull, sentBodies, sentRequests, serviceRepo, startApp,
  TEMPLATE, templateRepo, useGitHub,
} from '../support/github-mocks.js';
import { createService, createTemplate, type ServiceFixture, type TemplateFixture } from '../support/service-fleet.js';

useGitHub();

const DASHBOARD = 7;
const ISSUES_PATH = `/repos/${TEMPLATE.owner}/${TEMPLATE.repo}/issues`;
const BOX = '- [ ] <!-- template-drift-rerun:acme/payments -->';
const TICKED = '- [x] <!-- template-drift-rerun:acme/payments -->';

/** The body the app wrote for the fleet the scan below reads: payments behind v1.1.0. */
function writtenBody(): string {
  const [template] = fleetReport([{ repo: 'acme/payments', template: 'acme/service-template', version: 'v1.0.0', latest: 'v1.1.0', state: 'behind', seenAt: '' }]).templates;
  return dashboardBody(template!);
}

/** The recorded issues.edited payload, made into a person's tick of payments' box in the app's Template adoption issue. */
function tickPayload(login: string): Record<string, unknown> {
  const before = writtenBody();
  const payload = recordedPayload('issues', 'edited', TEMPLATE);
  const issue = payload.issue as { number: number; title: string; body: string; user: { login: string; type: string } };
  Object.assign(issue, { number: DASHBOARD, title: 'Template adoption', body: before.replace(BOX, TICKED) });
  Object.assign(issue.user, { login: 'template-drift[bot]', type: 'Bot' });
  payload.changes = { body: { from: before } };
  Object.assign(payload.sender as object, { login, type: 'User' });
  return payload;
}

/** The scan the tick needs for the installation's inventory: one repository, behind, nothing open. */
async function mockScan(api: nock.Scope, template: TemplateFixture, payments: ServiceFixture): Promise<void> {
  mockRepositories(api, ['payments']);
  await mockRepo(api, 'payments', await payments.bare.show('main', '.github/template-drift.yml'), { closedPulls: [] });
  mockRepository(api, templateRepo(template));
}

/** The dashboard's refresh: the issue found by title and label, and its body written again. */
function mockDashboardRefresh(api: nock.Scope, body: string): void {
  api.get(ISSUES_PATH).query({ state: 'all', labels: 'template-drift', per_page: '100' }).reply(200, [{
    number: DASHBOARD, title: 'Template adoption', state: 'open', body, html_url: `https://github.com/acme/service-template/issues/${DASHBOARD}`, labels: [{ name: 'template-drift' }],
  }]);
  api.patch(`${ISSUES_PATH}/${DASHBOARD}`).reply(200, { number: DASHBOARD });
}

/** The issue's bodies the app wrote, once its refresh (queued after the tick) has run. */
async function rewrittenBodies(app: TestApp): Promise<string[]> {
  await vi.waitFor(() => expect(sentBodies('PATCH', `${ISSUES_PATH}/${DASHBOARD}`)).not.toHaveLength(0));
  await app.runtime.queue.onIdle();
  return sentBodies('PATCH', `${ISSUES_PATH}/${DASHBOARD}`).map((patch) => String(patch.body));
}

/**
 * payments behind v1.1.0, and `login` (with `permission` on the template repository) ticking its
 * box: GitHub's answers up to the inventory the tick is checked against.
 */
async function tickBy(login: string, permission: string) {
  const template = await createTemplate();
  await template.release('v1.1.0', { 'Dockerfile.hbs': 'FROM python:3.13-slim\n' });
  const payments = await createService(template, 'payments');
  const payload = tickPayload(login);
  const api = mockGitHub();
  mockPermission(api, TEMPLATE, login, permission);
  await mockScan(api, template, payments);
  return { template, payments, payload, api, ticked: (payload.issue as { body: string }).body };
}

// The issue is refreshed at once after the first change, then at most once an hour: one refresh per test.
const settings = { fleet: { dashboardIssues: true, dashboardIntervalSeconds: 3600 } };

describe('a tick in the Template adoption issue (issues.edited)', () => {
  it("a writer's tick re-runs that repository's update as a person asked (declines not looked up), and the box is unticked again", async () => {
    const { template, payments, payload, api, ticked } = await tickBy('octo-writer', 'write');
    mockUpdateToNewPull(api, await serviceRepo('payments', payments), { template: templateRepo(template), number: 12, explicit: true });
    mockDashboardRefresh(api, ticked);

    const app = await startApp({ settings });
    await app.receive('issues', payload);

    expect(sentBodies('POST', '/repos/acme/payments/pulls')).toMatchObject([{ title: 'Update service-template to v1.1.0', head: 'template-drift/update' }]);
    const [rewritten] = await rewrittenBodies(app);
    expect(rewritten).toContain(BOX);
    expect(rewritten).not.toMatch(/- \[x\]/i);
    expect(commentsSent(TEMPLATE, DASHBOARD), 'a writer gets no reply: the PR is the answer').toEqual([]);
  });

  it("a reader's tick runs nothing: one reply saying why, and the body written back as it was, the box unticked", async () => {
    const { payload, api, ticked } = await tickBy('octo-reader', 'read');
    mockComment(api, TEMPLATE, DASHBOARD);
    mockDashboardRefresh(api, ticked);

    const app = await startApp({ settings });
    await app.receive('issues', payload);

    expect(commentsSent(TEMPLATE, DASHBOARD)).toEqual(['@octo-reader re-running updates needs write access to this repository; nothing was run.']);
    expect(await rewrittenBodies(app)).toEqual([writtenBody()]);
    expect(sentRequests().filter((request) => request.path.startsWith('/repos/acme/payments/') && request.method !== 'GET'), 'nothing written to the service').toEqual([]);
  });

  it("the app's own edit, a bot's, and an edit of another issue are not read at all", async () => {
    const app = await startApp({ settings });
    const bot = tickPayload('renovate[bot]');
    (bot.sender as { type: string }).type = 'Bot';
    await app.receive('issues', bot);
    const other = tickPayload('octo-writer');
    (other.issue as { title: string }).title = 'Something else';
    await app.receive('issues', other);
    const byPerson = tickPayload('octo-writer');
    (byPerson.issue as { user: { type: string } }).user.type = 'User';
    await app.receive('issues', byPerson);
    expect(sentRequests()).toEqual([]);
  });
});
