import type { TestApp } from './app-harness.js';
import {
  mockGitHub, mockRelease, mockUpdateToNewPull, releasePayload, sentBodies, serviceRepo, startApp, templateRepo, type MockRepo,
} from './github-mocks.js';
import { createService, createTemplate, type ServiceFixture, type TemplateFixture } from './service-fleet.js';
import type { Tree } from './temp-repo.js';

export const DOCKERFILE_V11: Tree = { 'Dockerfile.hbs': 'FROM python:3.13-slim\nENV LOG_LEVEL={{log_level}}\n' };

export interface PullFleet {
  readonly template: TemplateFixture;
  readonly payments: ServiceFixture;
  readonly tpl: MockRepo;
  readonly repo: MockRepo;
  readonly app: TestApp;
  /** What the app sent to create the update PR. */
  readonly created: Record<string, unknown>;
}

/** A template at v1.1.0, a service `payments` made from v1.0.0, and the update PR `number` the v1.1.0 release opened. */
export async function fleetWithPull(number: number, change: Tree = DOCKERFILE_V11): Promise<PullFleet> {
  const template = await createTemplate();
  await template.release('v1.1.0', change);
  const payments = await createService(template, 'payments');
  const f = { template, payments, tpl: templateRepo(template), repo: await serviceRepo('payments', payments), app: await startApp() };
  const api = mockGitHub();
  mockRelease(api, f.tpl, [f.repo]);
  mockUpdateToNewPull(api, f.repo, { template: f.tpl, number });
  await f.app.receive('release', releasePayload('v1.1.0'));
  const [created] = sentBodies('POST', '/repos/acme/payments/pulls');
  return { ...f, created: created! };
}
