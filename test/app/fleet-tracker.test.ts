import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryFleetStore } from '../../src/app/fleet-store.js';
import { FleetTracker } from '../../src/app/fleet-tracker.js';
import type { FleetEntry } from '../../src/engine/fleet-inventory.js';
import type { ReleaseSighting } from '../../src/workflows/fleet-events.js';

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

  it('a merge or a decline is patched in without reading GitHub; an error makes the next read scan again', async () => {
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

  const release: ReleaseSighting = {
    template: 'acme/tpl', tag: 'v1.2.0', others: ['acme/docs'],
    repos: [
      { repo: 'acme/pay', recorded: { version: 'v1.0.0' }, behind: true },
      { repo: 'acme/ord', recorded: { version: 'v1.1.0' }, behind: true },
      { repo: 'acme/inv', recorded: { version: 'v1.2.0' }, behind: false },
    ],
  };
  const pullRequest = (number: number) => ({ kind: 'pull-request' as const, url: `https://github.com/acme/pay/pull/${number}`, to: 'v1.2.0', conflicts: 0, pushed: true });

  it('a release follows from what its fan-out read and its updates\' outcomes: no scan of its own, one refresh', async () => {
    const { fleet, queued, scans, store } = tracker();
    const inLine = (repo: string, version: string): FleetEntry => ({ ...behind, repo, version, latest: version, state: 'in-line' });
    await store.put(1, [{ ...behind, latest: 'v1.1.0' }, inLine('acme/ord', 'v1.1.0'), inLine('acme/inv', 'v1.2.0')]);
    await fleet.afterRelease(1, release);
    await fleet.afterUpdate(1, PAY, pullRequest(7));
    const entries = await fleet.entries(1);
    expect(scans, 'no scan').toEqual([]);
    expect(Object.fromEntries(entries.map((entry) => [entry.repo, [entry.state, entry.latest]]))).toEqual({
      'acme/pay': ['update-open', 'v1.2.0'], 'acme/ord': ['behind', 'v1.2.0'], 'acme/inv': ['in-line', 'v1.2.0'],
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(queued, 'the release and the update in one refresh').toEqual([1]);
  });

  it('a repository that left the template, or one the inventory lacks, makes the next read scan again', async () => {
    const { fleet, scans, store } = tracker();
    await store.put(1, [{ ...behind, repo: 'acme/docs' }]);
    await fleet.afterRelease(1, release);
    await fleet.entries(1);
    expect(scans).toEqual([1]);
  });

  it('during the first scan (the reconcile\'s), a read waits for it instead of scanning again; the fan-out\'s and its updates\' entries outlast it', async () => {
    const { fleet, scans } = tracker();
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const since = new Date().toISOString();
    const reconcile = fleet.scanWith(1, async (scanned) => {
      await gate;
      // What the scan read before the release: every repository behind v1.1.0 (or in line at it).
      await scanned([{ ...behind, seenAt: since }, { ...behind, repo: 'acme/ord', version: 'v1.1.0', state: 'in-line', seenAt: since }], since);
      return 'queued its updates';
    });
    await vi.advanceTimersByTimeAsync(1_000);
    await fleet.afterRelease(1, release);
    await fleet.afterUpdate(1, PAY, pullRequest(8));
    await fleet.refreshNow(1, false); // a refresh job: left to the scan in hand
    const read = fleet.entries(1);
    finish();
    expect(await reconcile).toBe('queued its updates');
    const entries = await read;
    expect(scans, 'the reconcile\'s scan alone').toEqual([]);
    expect(Object.fromEntries(entries.map((entry) => [entry.repo, entry.state]))).toEqual({ 'acme/pay': 'update-open', 'acme/ord': 'behind' });
  });
});
