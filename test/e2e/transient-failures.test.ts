import { describe, expect, it } from 'vitest';
import { readStatus } from '../support/e2e/app-process.js';
import { OWNER, type World } from '../support/e2e/fleet.js';
import { until } from '../support/e2e/until.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';

// A git host that fails for now (GitHub's 502, a stall) is tried again, with either queue's
// backoff (BullMQ's over Redis, the in-process queue's own timers), and never files an "action
// required" issue. Two tries per job, 0.2 s before the retry, a 2 s stall limit; the web process
// runs the workers; the write budget is off.
const env = {
  TEMPLATE_DRIFT_JOB_ATTEMPTS: '2', TEMPLATE_DRIFT_RETRY_DELAY_S: '0.2', TEMPLATE_DRIFT_GIT_STALL_S: '2',
  TEMPLATE_DRIFT_WRITES_PER_MINUTE: '0', TEMPLATE_DRIFT_WRITES_PER_HOUR: '0',
};

const ISSUE_TITLE = 'Template drift: action required';

/** A template at v1.0.0 and one service made from it, then v1.1.0 released (its webhook sent). */
async function releaseTo(w: World, template: string, service: string, beforeRelease: () => void): Promise<void> {
  await w.publishTemplate(template, TEMPLATE_V1);
  await w.createService(service, template, { ref: 'v1.0.0', vars: { service_name: service.replace(/[^a-z]/g, '') } });
  await w.github.commit(OWNER, template, 'main', TEMPLATE_V1_1, { message: 'Release v1.1.0' });
  beforeRelease();
  await w.github.publishRelease(OWNER, template, 'v1.1.0', { body: 'notes' });
}

/** Exactly one open update PR, pushed once, and no "action required" issue. */
async function expectOnePullNoIssue(w: World, template: string, service: string): Promise<void> {
  await until(`${service} has its PR`, async () => (await w.github.pulls(OWNER, service)).length > 0);
  await w.settle(120_000);
  expect((await w.github.pulls(OWNER, service)).map((pull) => [pull.state, pull.title])).toEqual([['open', `Update ${template} to v1.1.0`]]);
  expect(w.github.requestCount('POST', `/${OWNER}/${service}.git/git-receive-pack`)).toBe(1);
  expect(w.github.issues(OWNER, service).filter((issue) => issue.title === ISSUE_TITLE)).toEqual([]);
}

function status(w: World): Promise<{ failed: number }> {
  return readStatus(`${w.app.url}/template-drift/status`) as Promise<{ failed: number }>;
}

for (const [queue, redis] of [['BullMQ over Redis', true], ['the in-process queue', false]] as const) describe(`git hosts that fail for now, end to end (${queue})`, () => {
  const world = useWorld({ redis, env });

  it('a service clone answered 502 is tried again: one PR, no issue', async () => {
    const w = world();
    await releaseTo(w, 'c502-tpl', 'c502-svc', () => w.github.failNext('GET', `/${OWNER}/c502-svc.git/info/refs`, { status: 502 }));
    await expectOnePullNoIssue(w, 'c502-tpl', 'c502-svc');
    expect(w.github.requestCount('GET', `/${OWNER}/c502-svc.git/info/refs`), 'a clone after the 502').toBeGreaterThanOrEqual(2);
    expect(w.app.log).toContain('template update failed for now');
    expect(w.app.log).toContain('The requested URL returned error: 502');
    expect(w.app.log).toContain('it will be retried');
  }, 180_000);

  it('a service clone whose host stalls is abandoned after TEMPLATE_DRIFT_GIT_STALL_S and tried again: one PR, no issue', async () => {
    const w = world();
    await releaseTo(w, 'stall-tpl', 'stall-svc', () => w.github.stallGit(OWNER, 'stall-svc', 1));
    await expectOnePullNoIssue(w, 'stall-tpl', 'stall-svc');
    expect(w.app.log).toContain('Operation too slow');
  }, 180_000);

  it('a template host answered 502 (the fan-out\'s head start and the update\'s own read) is tried again: one PR, no issue', async () => {
    const w = world();
    await releaseTo(w, 't502-tpl', 't502-svc', () => w.github.failNext('GET', `/${OWNER}/t502-tpl.git/info/refs`, { status: 502 }, 2));
    await expectOnePullNoIssue(w, 't502-tpl', 't502-svc');
    // The update itself met the second 502 (the fan-out's head start only logs its own).
    expect(w.app.log).toContain('template update failed for now');
    expect(w.app.log).toContain(`Cannot read template ${w.github.cloneUrl(OWNER, 't502-tpl')}`);
  }, 180_000);

  it('a job out of tries is reported (the log, failed in the status) and files no issue', async () => {
    const w = world();
    const before = (await status(w)).failed;
    await releaseTo(w, 'gone-tpl', 'gone-svc', () => w.github.failNext('GET', `/${OWNER}/gone-svc.git/info/refs`, { status: 502 }, 2));
    await until('the update has used its two tries', async () => (await status(w)).failed > before);
    await w.settle(120_000);
    expect(w.github.requestCount('GET', `/${OWNER}/gone-svc.git/info/refs`)).toBe(2);
    expect(await w.github.pulls(OWNER, 'gone-svc')).toEqual([]);
    expect(w.github.issues(OWNER, 'gone-svc').filter((issue) => issue.title === ISSUE_TITLE)).toEqual([]);
    expect(w.app.log).toContain('queued job failed');
  }, 180_000);
});
