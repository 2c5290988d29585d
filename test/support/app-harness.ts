import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import nock from 'nock';
import { Probot } from 'probot';
import { afterEach, beforeEach, expect } from 'vitest';
import { createApp } from '../../src/app/index.js';
import { TemplateDriftOctokit } from '../../src/app/octokit.js';
import type { AppRuntime } from '../../src/app/runtime.js';
import type { AppSettings } from '../../src/app/settings.js';
import { tempDir } from './temp-repo.js';

const require = createRequire(import.meta.url);
type Example = { name: string; examples: Record<string, unknown>[] };
const examples = require('@octokit/webhooks-examples/api.github.com/index.json') as Example[];

export const INSTALLATION_ID = 4242;
export const API = 'https://api.github.com';
export const BOT = { name: 'template-drift[bot]', email: 'template-drift[bot]@users.noreply.github.com' };

/** Keys are made at test time; none is committed. */
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

/** nock for every GitHub call: no real network, and every mock must be used (checked after each test). */
export function useNock(): void {
  beforeEach(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    nock.enableNetConnect();
    expect(pending, 'every GitHub mock must be used').toEqual([]);
  });
}

export interface TestApp {
  readonly probot: Probot;
  readonly runtime: AppRuntime;
  /** Delivers a webhook as GitHub would and waits until every job it queued has finished. */
  receive(name: string, payload: Record<string, unknown>): Promise<void>;
}

/** The app as Probot loads it, with Probot's testing defaults: no retries or throttling delays. */
export async function createTestApp(options: { throttle?: boolean; settings?: Partial<AppSettings> } = {}): Promise<TestApp> {
  const probot = new Probot({
    appId: 1,
    privateKey,
    // A function, not an options object: Probot passes its own `throttle` (with no `enabled`),
    // which would replace an object default's `{ enabled: false }` and turn throttling on.
    Octokit: TemplateDriftOctokit.defaults((instance: { throttle?: object }) => ({
      ...instance,
      retry: { enabled: false },
      throttle: { ...instance.throttle, ...(options.throttle ? { enabled: true, fallbackSecondaryRateRetryAfter: 1 } : { enabled: false }) },
    })),
    logLevel: 'fatal',
  });
  const runtime = createApp(probot, {
    cacheDir: await tempDir('td-app-cache-'), concurrency: 2, committer: BOT,
    templateSources: { serverUrl: 'https://github.com', allowedHosts: [] },
    // This GitHub serves its repositories from bare repositories on disk (file:// clone URLs).
    gitProtocols: ['https', 'http', 'file'],
    ...options.settings,
  });
  return {
    probot,
    runtime,
    async receive(name, payload) {
      await probot.receive({ id: randomUUID(), name, payload } as Parameters<Probot['receive']>[0]);
      await runtime.queue.onIdle();
    },
  };
}

/**
 * A real recorded payload from @octokit/webhooks-examples, pointed at our test repository and
 * installation (the recorded release examples carry no installation).
 */
export function recordedPayload(name: string, action: string | undefined, repo: { owner: string; repo: string }, pick = 0): Record<string, unknown> {
  const group = examples.find((entry) => entry.name === name);
  const matching = group?.examples.filter((example) => action === undefined || example.action === action) ?? [];
  const example = matching[pick];
  if (!example) throw new Error(`no recorded ${name}.${action ?? ''} example #${pick}`);
  const payload = structuredClone(example);
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
  const repository = payload.repository as { name: string; full_name: string; owner: { login: string }; default_branch: string } | undefined;
  if (repository) {
    repository.name = repo.repo;
    repository.full_name = `${repo.owner}/${repo.repo}`;
    repository.owner.login = repo.owner;
    repository.default_branch = 'main';
  }
  return payload;
}
