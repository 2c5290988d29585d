import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryFleetStore } from '../../src/app/fleet-store.js';
import { FleetTracker } from '../../src/app/fleet-tracker.js';
import type { FleetEntry } from '../../src/engine/fleet-inventory.js';

const MINUTE = 60_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const PAY = { owner: 'acme', repo: 'pay' };
const behind: FleetEntry = { repo: 'acme/pay', template: 'acme/tpl', version: 'v1.0.0', latest: 'v1.1.0', state: 'behind', seenAt: '2026-12-01T12:00:00.000Z' };

/**
 * A tracker whose dashboard refreshes are recorded as they are queued (not run: what they write
 * is the refresh workflow's, tested with the issue), and whose scans are counted.
 */
function tracker(options: { dashboards?: boolean; platform?: () => Promise<never> } = {}) {
  const queued: number[] = [];
  const scans: number[] = [];
  const store = new MemoryFleetStore();
  const fleet = new FleetTracker({
    store,
    scan: (installation) => {
      scans.push(installation);
      return Promise.resolve([behind]);
    },
    platform: options.platform ?? (() => Promise.reject(new Error('the refresh is not run here'))),
    installations: () => Promise.resolve([1]),
    enqueue: (job) => {
      queued.push(job.installationId);
      return Promise.resolve();
    },
    dashboards: options.dashboards ?? true,
    intervalMs: MINUTE,
    log: quiet,
  });
  return { fleet, queued, scans, store };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the fleet tracker', () => {
  it('refreshes an installation\'s issues at once after a first change, then at most once a minute, gathering the changes in between', async () => {
    const { fleet, queued } = tracker();
    await fleet.entries(1);
    fleet.changed(1); // a fan-out
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toEqual([1]);

    await vi.advanceTimersByTimeAsync(1_000);
    await fleet.afterClose(1, PAY, { merged: true, url: 'https://github.com/acme/pay/pull/4', to: 'v1.1.0' }); // a merge
    await fleet.afterUpdate(1, PAY, { kind: 'failed', message: 'bad answers' }); // an error
    fleet.refreshSoon(1); // a tick
    expect(fleet.pending()).toBe(1);
    await vi.advanceTimersByTimeAsync(MINUTE - 1_001);
    expect(queued, 'not before a minute has passed since the last one').toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(queued, 'one refresh for all three changes').toEqual([1, 1]);
    expect(fleet.pending()).toBe(0);

    // Another installation has its own minute.
    fleet.changed(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toEqual([1, 1, 2]);
  });

  it('a change while a refresh runs gets a refresh of its own once that one is done (a queued equal job would collapse into the running one)', async () => {
    let fail: (error: Error) => void = () => undefined;
    const { fleet, queued } = tracker({ platform: () => new Promise<never>((_resolve, reject) => (fail = reject)) });
    await fleet.entries(1);
    const running = fleet.refreshNow(1, false);
    await fleet.afterClose(1, PAY, { merged: false, url: 'https://github.com/acme/pay/pull/4', to: 'v1.1.0' });
    await vi.advanceTimersByTimeAsync(0);
    expect(queued, 'not while the running refresh may already have read the inventory').toEqual([]);
    expect(fleet.pending()).toBe(1);
    fail(new Error('GitHub is away'));
    await expect(running).rejects.toThrow('GitHub is away');
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toEqual([1]);
    expect(fleet.pending()).toBe(0);
  });

  it('with the issues turned off, nothing is ever queued', async () => {
    const { fleet, queued } = tracker({ dashboards: false });
    fleet.changed(1);
    await fleet.afterUpdate(1, PAY, { kind: 'failed', message: 'bad answers' });
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(queued).toEqual([]);
    expect(fleet.pending()).toBe(0);
  });

  it('a merge or a decline is patched in without reading GitHub; an error or a release makes the next read scan again', async () => {
    const { fleet, scans } = tracker();
    expect(await fleet.entries(1)).toEqual([behind]);
    expect(scans).toEqual([1]);

    await fleet.afterClose(1, PAY, { merged: false, url: 'https://github.com/acme/pay/pull/4', to: 'v1.1.0' });
    expect(await fleet.entries(1)).toMatchObject([{ repo: 'acme/pay', state: 'declined', url: 'https://github.com/acme/pay/pull/4' }]);
    await fleet.afterClose(1, PAY, { merged: true, url: 'https://github.com/acme/pay/pull/5', to: 'v1.1.0' });
    expect(await fleet.entries(1)).toMatchObject([{ repo: 'acme/pay', state: 'in-line', version: 'v1.1.0' }]);
    expect(scans, 'events alone: no scan').toEqual([1]);

    await fleet.afterUpdate(1, PAY, { kind: 'failed', message: 'bad answers' });
    expect(await fleet.entries(1)).toEqual([behind]);
    expect(scans).toEqual([1, 1]);
    fleet.changed(1);
    await fleet.entries(1);
    expect(scans).toEqual([1, 1, 1]);
  });
});
