import { describe, expect, it } from 'vitest';
import { INSTALLATION, OWNER, type World } from '../support/e2e/fleet.js';
import { pullCounts, until } from '../support/e2e/until.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';

// The web process and its workers share one real redis-server. Claims on running jobs last 2 s
// (a killed worker's job runs elsewhere soon after), retries wait 0.2 s, the write budget is off.
const QUEUE_ENV = {
  TEMPLATE_DRIFT_JOB_LOCK_S: '2', TEMPLATE_DRIFT_RETRY_DELAY_S: '0.2', TEMPLATE_DRIFT_SHUTDOWN_GRACE_S: '1',
  TEMPLATE_DRIFT_WRITES_PER_MINUTE: '0', TEMPLATE_DRIFT_WRITES_PER_HOUR: '0', TEMPLATE_DRIFT_CONCURRENCY: '1',
};
const world = useWorld({ redis: true, env: QUEUE_ENV });
const VERBOSE = { LOG_LEVEL: 'info', LOG_FORMAT: 'json' };

function pushes(w: World, service: string): number {
  return w.github.requestCount('POST', `/${OWNER}/${service}.git/git-receive-pack`);
}

/** The repositories a process opened or refreshed an update PR in, from its JSON log. */
function updatedIn(log: string): string[] {
  return log.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: string; repo?: { repo?: string } };
      return entry.msg === 'template update pull request ready' && entry.repo?.repo ? [entry.repo.repo] : [];
    } catch {
      return [];
    }
  });
}

async function expectOnePullEach(w: World, services: readonly string[], title: string): Promise<void> {
  for (const name of services) {
    expect((await w.github.pulls(OWNER, name)).map((pull) => [pull.state, pull.title]), name).toEqual([['open', title]]);
    expect(pushes(w, name), `${name} was pushed to more than once`).toBe(1);
  }
}

describe('the BullMQ queue over Redis, end to end (web process and workers)', () => {
  it('a web process and two workers share one fan-out; 100 deliveries of the release give one job per repository', async () => {
    const w = world();
    const services = Array.from({ length: 9 }, (_, i) => `s-${i + 1}`);
    const workers = [await w.startWorker(VERBOSE), await w.startWorker(VERBOSE)];
    await w.publishTemplate('s-tpl', TEMPLATE_V1);
    await w.createServices(services, 's-tpl', { ref: 'v1.0.0', vars: { service_name: 'svc' } });

    await w.github.commit(OWNER, 's-tpl', 'main', TEMPLATE_V1_1, { message: 'Release v1.1.0' });
    const release = await w.github.publishRelease(OWNER, 's-tpl', 'v1.1.0', { body: 'notes' });
    await Promise.all(Array.from({ length: 99 }, () => w.github.redeliver(release.id)));
    await w.settle(180_000);

    await expectOnePullEach(w, services, 'Update s-tpl to v1.1.0');
    const byWorker = workers.map((worker) => updatedIn(worker.log));
    for (const updated of byWorker) expect(updated.length, 'each worker took part of the fan-out').toBeGreaterThan(0);
    // Each repository's update ran once, in one of the processes.
    const everywhere = [...byWorker.flat(), ...updatedIn(w.app.log)];
    expect(new Set(everywhere).size).toBe(everywhere.length);
    await w.stopWorkers();
  }, 300_000);

  it('a worker killed (-9) in the middle of a 30-repository fan-out: another finishes it, one PR per repository, none pushed twice', async () => {
    const w = world();
    const services = Array.from({ length: 30 }, (_, i) => `k-${i + 1}`);
    await w.publishTemplate('k-tpl', TEMPLATE_V1);
    await w.createServices(services, 'k-tpl', { ref: 'v1.0.0', vars: { service_name: 'svc' } });
    const doomed = await w.startWorker({ TEMPLATE_DRIFT_CONCURRENCY: '3' });

    await w.github.commit(OWNER, 'k-tpl', 'main', TEMPLATE_V1_1, { message: 'Release v1.1.0' });
    await w.github.publishRelease(OWNER, 'k-tpl', 'v1.1.0', { body: 'notes' });
    await until('the first update PRs exist', async () => (await pullCounts(w, services)).filter((count) => count > 0).length >= 2);
    await doomed.crash();
    expect((await pullCounts(w, services)).some((count) => count === 0), 'the crash left repositories without their PR').toBe(true);

    await w.startWorker({ TEMPLATE_DRIFT_CONCURRENCY: '3' });
    await until('every repository has its PR', async () => (await pullCounts(w, services)).every((count) => count > 0), 240_000);
    await w.settle(120_000);
    await expectOnePullEach(w, services, 'Update k-tpl to v1.1.0');
    await w.stopWorkers();
  }, 420_000);

  it('SIGTERM hands a running job back: the process exits, the next one finishes it, one PR', async () => {
    const w = world();
    await w.publishTemplate('t-tpl', TEMPLATE_V1);
    await w.createService('t-svc', 't-tpl', { ref: 'v1.0.0', vars: { service_name: 'tsvc' } });
    w.github.stallGit(OWNER, 't-svc');
    await w.github.commit(OWNER, 't-tpl', 'main', TEMPLATE_V1_1, { message: 'Release v1.1.0' });
    await w.github.publishRelease(OWNER, 't-tpl', 'v1.1.0', { body: 'notes' });
    await until('the update is in the middle of its clone', () => w.github.stalledGitRequests(OWNER, 't-svc') > 0);

    const stopping = w.app;
    stopping.terminate();
    expect(await stopping.exited).toBe(0);
    expect(await w.github.pulls(OWNER, 't-svc'), 'the job was handed back, not finished').toEqual([]);
    w.github.resumeGit(OWNER, 't-svc');
    await w.restartApp();
    await w.settle(120_000);
    await expectOnePullEach(w, ['t-svc'], 'Update t-tpl to v1.1.0');
  }, 300_000);

  it('repository tokens that expire in the middle of a fan-out are minted again: the fan-out completes', async () => {
    const w = world();
    const services = ['x-1', 'x-2', 'x-3', 'x-4', 'x-5', 'x-6'];
    await w.publishTemplate('x-tpl', TEMPLATE_V1);
    await w.createServices(services, 'x-tpl', { ref: 'v1.0.0', vars: { service_name: 'xsvc' } });
    const minted = () => w.github.requestCount('POST', '/app/installations/{installation_id}/access_tokens');
    const before = minted();
    w.github.expireRepositoryTokensAfter(4_000);
    try {
      await w.github.commit(OWNER, 'x-tpl', 'main', TEMPLATE_V1_1, { message: 'Release v1.1.0' });
      await w.github.publishRelease(OWNER, 'x-tpl', 'v1.1.0', { body: 'notes' });
      await until('every repository has its PR', async () => (await pullCounts(w, services)).every((count) => count > 0), 240_000);
      await w.settle(120_000);
    } finally {
      w.github.expireRepositoryTokensAfter(undefined);
    }
    await expectOnePullEach(w, services, 'Update x-tpl to v1.1.0');
    // A write token served its clone or its push, never both: every update minted its token again after its clone.
    expect(minted() - before).toBeGreaterThanOrEqual(2 * services.length);
  }, 300_000);

  it('removing the app from a repository cancels its queued job', async () => {
    const w = world();
    await w.publishTemplate('r-tpl', TEMPLATE_V1);
    await w.createServices(['r-busy', 'r-gone'], 'r-tpl', { ref: 'v1.0.0', vars: { service_name: 'rsvc' } });
    // The only slot is held by r-busy's update, stuck in its clone: r-gone's update waits in the queue.
    w.github.stallGit(OWNER, 'r-busy');
    await w.github.commit(OWNER, 'r-tpl', 'main', TEMPLATE_V1_1, { message: 'Release v1.1.0' });
    await w.github.publishRelease(OWNER, 'r-tpl', 'v1.1.0', { body: 'notes' });
    await until('r-busy is in the middle of its clone', () => w.github.stalledGitRequests(OWNER, 'r-busy') > 0);

    await w.github.deliver('installation_repositories', {
      action: 'removed', installation: { id: INSTALLATION }, repository_selection: 'selected', repositories_added: [],
      repositories_removed: [{ id: 1, node_id: 'R_1', name: 'r-gone', full_name: `${OWNER}/r-gone`, private: false }],
      sender: { login: 'octo-person', id: 1, type: 'User' },
    });
    // Resuming cuts the held clone off (r-busy's update fails for now and is tried again later); the slot is free.
    w.github.resumeGit(OWNER, 'r-busy');
    await w.settle(120_000);
    expect(await w.github.pulls(OWNER, 'r-gone')).toEqual([]);
    expect(pushes(w, 'r-gone')).toBe(0);
  }, 300_000);
});
