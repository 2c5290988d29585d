import { describe, expect, it } from 'vitest';
import { MemoryFleetStore } from '../../src/app/fleet-store.js';
import type { FleetEntry } from '../../src/engine/fleet-inventory.js';
import { entryAfterClose, entryAfterUpdate } from '../../src/workflows/fleet-events.js';

const seenAt = '2026-12-01T13:00:00Z';
const later = '2026-12-01T14:00:00Z';
const behind: FleetEntry = { repo: 'acme/pay', template: 'acme/tpl', version: 'v1.0.0', latest: 'v1.1.0', state: 'behind', seenAt };

describe('what an event tells the inventory', () => {
  it('an update PR is update-open, or conflicts when it has conflicted files, with its URL', () => {
    const url = 'https://github.com/acme/pay/pull/4';
    expect(entryAfterUpdate(behind, { kind: 'pull-request', url, to: 'v1.1.0', conflicts: 0, pushed: true }, later)).toEqual({ ...behind, state: 'update-open', url, seenAt: later });
    expect(entryAfterUpdate(behind, { kind: 'pull-request', url, to: 'v1.1.0', conflicts: 2, pushed: true }, later)).toMatchObject({ state: 'conflicts', url });
  });

  it('in line drops the URL; no answers file drops the entry; a failure or a skip asks for a scan', () => {
    const open = { ...behind, state: 'update-open' as const, url: 'https://github.com/acme/pay/pull/4' };
    const inLine = entryAfterUpdate(open, { kind: 'in-line', version: 'v1.1.0' }, later);
    expect(inLine).toEqual({ ...behind, version: 'v1.1.0', state: 'in-line', seenAt: later });
    expect(entryAfterUpdate(open, { kind: 'not-configured' }, later)).toBe('gone');
    expect(entryAfterUpdate(open, { kind: 'failed', message: 'bad answers' }, later)).toBe('rescan');
    expect(entryAfterUpdate(open, { kind: 'skipped', why: 'declined' }, later)).toBe('rescan');
    expect(entryAfterUpdate(undefined, { kind: 'in-line', version: 'v1.1.0' }, later)).toBe('rescan');
  });

  it('a merge to the latest is in line at it; to an older release, a scan decides; unmerged, the version is declined', () => {
    const url = 'https://github.com/acme/pay/pull/4';
    expect(entryAfterClose(behind, { merged: true, url, to: 'v1.1.0' }, later)).toEqual({ ...behind, version: 'v1.1.0', state: 'in-line', seenAt: later });
    expect(entryAfterClose(behind, { merged: true, url, to: 'v1.0.5' }, later)).toBe('rescan');
    expect(entryAfterClose(behind, { merged: false, url, to: 'v1.1.0' }, later)).toEqual({ ...behind, state: 'declined', url, seenAt: later });
  });
});

describe('the in-memory fleet store', () => {
  it('patches only installations it has scanned, by repository name in any case, and forgets', async () => {
    const store = new MemoryFleetStore();
    await store.patch(1, behind);
    expect(await store.get(1)).toBeUndefined();
    await store.put(1, [behind]);
    await store.patch(1, { ...behind, repo: 'ACME/Pay', state: 'update-open' });
    expect(await store.get(1)).toEqual([{ ...behind, repo: 'ACME/Pay', state: 'update-open' }]);
    await store.remove(1, 'acme/pay');
    expect(await store.get(1)).toEqual([]);
    expect(await store.installations()).toEqual([1]);
    await store.remove(1);
    expect(await store.installations()).toEqual([]);
  });
});
