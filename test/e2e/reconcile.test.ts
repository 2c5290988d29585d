import { describe, expect, it } from 'vitest';
import { OWNER } from '../support/e2e/fleet.js';
import { pullCounts, until } from '../support/e2e/until.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';

// One update at a time, so that a crash lands in the middle of a fan-out.
const world = useWorld({ env: { TEMPLATE_DRIFT_CONCURRENCY: '1' } });

describe('the reconcile at start-up, end to end without Redis', () => {
  // Six services made with the CLI, a crash and a restart: 23 s on a quiet machine, up to 55 s under load.
  it('finishes a fan-out the app was killed (-9) in the middle of: exactly one PR per repository', { timeout: 120_000 }, async () => {
    const w = world();
    const services = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6'];
    await w.publishTemplate('k-tpl', TEMPLATE_V1);
    for (const name of services) await w.createService(name, 'k-tpl', { ref: 'v1.0.0', vars: { service_name: name.replace('-', '') } });

    await w.releaseTemplate('k-tpl', 'v1.1.0', TEMPLATE_V1_1, 'notes');
    await until('the first update PR exists', async () => (await pullCounts(w, services)).some((count) => count > 0));
    await w.app.crash();
    expect((await pullCounts(w, services)).filter((count) => count === 0).length, 'the crash left repositories without their PR').toBeGreaterThan(0);

    await w.restartApp({ TEMPLATE_DRIFT_RECONCILE_HOURS: '6' }); // the World turns it off for other tests
    await until('every repository has its PR', async () => (await pullCounts(w, services)).every((count) => count > 0));
    await w.settle();

    for (const name of services) {
      const pulls = await w.github.pulls(OWNER, name);
      expect(pulls.map((pull) => [pull.state, pull.title]), name).toEqual([['open', 'Update k-tpl to v1.1.0']]);
    }
  });

  it('SIGTERM stops a job still running after TEMPLATE_DRIFT_SHUTDOWN_GRACE_S and exits; the restart\'s reconcile finishes it on one PR', { timeout: 120_000 }, async () => {
    const w = world();
    await w.restartApp({ TEMPLATE_DRIFT_SHUTDOWN_GRACE_S: '1' });
    await w.publishTemplate('g-tpl', TEMPLATE_V1);
    await w.createService('g-svc', 'g-tpl', { ref: 'v1.0.0', vars: { service_name: 'gsvc' } });
    // The update hangs in its clone (the stall limit is a minute): only the grace period ends it.
    w.github.stallGit(OWNER, 'g-svc');
    await w.releaseTemplate('g-tpl', 'v1.1.0', TEMPLATE_V1_1, 'notes');
    await until('the update is in the middle of its clone', () => w.github.stalledGitRequests(OWNER, 'g-svc') > 0);

    const stopping = w.app;
    stopping.terminate();
    expect(await stopping.exited).toBe(0);
    expect(await w.github.pulls(OWNER, 'g-svc')).toEqual([]);

    w.github.resumeGit(OWNER, 'g-svc');
    await w.restartApp({ TEMPLATE_DRIFT_RECONCILE_HOURS: '6' });
    await until('the repository has its PR', async () => (await w.github.pulls(OWNER, 'g-svc')).length > 0);
    await w.settle();
    expect((await w.github.pulls(OWNER, 'g-svc')).map((pull) => [pull.state, pull.title])).toEqual([['open', 'Update g-tpl to v1.1.0']]);
    expect(w.github.requestCount('POST', `/${OWNER}/g-svc.git/git-receive-pack`)).toBe(1);
  });

  it('recovers a release published while the app was down: its failed webhook is redelivered once, one PR each', async () => {
    const w = world();
    const services = ['d-1', 'd-2'];
    await w.publishTemplate('d-tpl', TEMPLATE_V1);
    for (const name of services) await w.createService(name, 'd-tpl', { ref: 'v1.0.0', vars: { service_name: name.replace('-', '') } });
    await w.app.crash();

    await w.github.commit(OWNER, 'd-tpl', 'main', TEMPLATE_V1_1, { message: 'Release v1.1.0' });
    const missed = await w.github.publishRelease(OWNER, 'd-tpl', 'v1.1.0', { body: 'notes' });
    expect(missed.status, 'nobody answered the release webhook').toBeUndefined();

    // A reconcile every few seconds: the second run must not ask for the same delivery again.
    const listedBefore = w.github.requestCount('GET', '/app/hook/deliveries');
    await w.restartApp({ TEMPLATE_DRIFT_RECONCILE_HOURS: '0.001' });
    await until('every repository has its PR', async () => (await pullCounts(w, services)).every((count) => count > 0));
    await until('a second reconcile ran', () => w.github.requestCount('GET', '/app/hook/deliveries') >= listedBefore + 2, 30_000);
    await w.settle();

    const attempts = w.github.deliveries().filter((delivery) => delivery.id === missed.id);
    expect(attempts.map((attempt) => [attempt.redelivery, attempt.status])).toEqual([[false, undefined], [true, 200]]);
    for (const name of services) {
      expect((await w.github.pulls(OWNER, name)).map((pull) => [pull.state, pull.title]), name).toEqual([['open', 'Update d-tpl to v1.1.0']]);
    }
  });
});
