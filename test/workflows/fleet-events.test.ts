import { describe, expect, it } from 'vitest';
import { MemoryFleetStore } from '../../src/app/fleet-store.js';
import type { FleetEntry } from '../../src/engine/fleet-inventory.js';
import { entryAfterClose, entryAfterRelease, entryAfterUpdate, type ReleaseSighting } from '../../src/workflows/fleet-events.js';

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

describe('what a release\'s fan-out tells the inventory, from the answers files it read', () => {
  const release: ReleaseSighting = { template: 'acme/tpl', tag: 'v1.2.0', repos: [], others: [] };
  const at = (version: string, behindIt: boolean) => ({ repo: 'acme/pay', recorded: { version, commit: 'c'.repeat(40) }, behind: behindIt });
  const inLine: FleetEntry = { ...behind, version: 'v1.1.0', state: 'in-line' };

  it('a repository behind the release is behind it, with the latest moved to the release', () => {
    expect(entryAfterRelease(inLine, at('v1.1.0', true), release, later)).toEqual({ ...inLine, commit: 'c'.repeat(40), latest: 'v1.2.0', state: 'behind', seenAt: later });
    expect(entryAfterRelease({ ...inLine, state: 'drifted' }, at('v1.1.0', true), release, later)).toMatchObject({ state: 'behind', latest: 'v1.2.0' });
    const declinedOlder = { ...behind, state: 'declined' as const, url: 'https://github.com/acme/pay/pull/3' };
    const behindNow = entryAfterRelease(declinedOlder, at('v1.0.0', true), release, later);
    expect(behindNow, 'a decline of v1.1.0 is none of v1.2.0').toMatchObject({ state: 'behind', latest: 'v1.2.0' });
    expect(behindNow).not.toHaveProperty('url');
  });

  it('an open update PR, the "action required" issue or a decline of this very release stays: the update settles those', () => {
    const open = { ...behind, state: 'update-open' as const, url: 'https://github.com/acme/pay/pull/4' };
    expect(entryAfterRelease(open, at('v1.0.0', true), release, later)).toMatchObject({ state: 'update-open', url: open.url, latest: 'v1.2.0', seenAt: later });
    const blocked = { ...behind, state: 'action-required' as const, url: 'https://github.com/acme/pay/issues/2' };
    expect(entryAfterRelease(blocked, at('v1.0.0', true), release, later)).toMatchObject({ state: 'action-required', url: blocked.url });
    const declined = { ...behind, latest: 'v1.2.0', state: 'declined' as const, url: 'https://github.com/acme/pay/pull/5' };
    expect(entryAfterRelease(declined, at('v1.0.0', true), release, later)).toMatchObject({ state: 'declined', url: declined.url });
  });

  it('a repository at or past the release keeps its state; the latest is never a lower or prerelease tag', () => {
    const past = { ...inLine, version: 'v2.0.0', latest: 'v2.0.0' };
    expect(entryAfterRelease(past, at('v2.0.0', false), release, later)).toEqual({ ...past, commit: 'c'.repeat(40), seenAt: later });
    expect(entryAfterRelease(inLine, at('v1.1.0', false), { ...release, tag: 'v1.2.0-rc.1' }, later)).toMatchObject({ state: 'in-line', latest: 'v1.1.0' });
  });

  it('what only a scan can tell asks for one; an unreadable answers file waits for its update', () => {
    expect(entryAfterRelease(inLine, at('v1.2.0', false), release, later), 'moved with no event').toBe('rescan');
    expect(entryAfterRelease(undefined, at('v1.2.0', false), release, later), 'in line or drifted: the tree says').toBe('rescan');
    expect(entryAfterRelease(undefined, at('v1.0.0', true), release, later)).toEqual({
      repo: 'acme/pay', template: 'acme/tpl', version: 'v1.0.0', commit: 'c'.repeat(40), latest: 'v1.2.0', state: 'behind', seenAt: later,
    });
    expect(entryAfterRelease(inLine, { repo: 'acme/pay', behind: true }, release, later)).toBe('keep');
  });
});

describe('the in-memory fleet store', () => {
  it('is no inventory before a scan, patches by repository name in any case, and forgets', async () => {
    const store = new MemoryFleetStore();
    await store.patch(1, [behind]);
    expect(await store.get(1)).toBeUndefined();
    await store.put(1, [behind]);
    await store.patch(1, [{ ...behind, repo: 'ACME/Pay', state: 'update-open' }]);
    expect(await store.get(1)).toEqual([{ ...behind, repo: 'ACME/Pay', state: 'update-open' }]);
    await store.remove(1, 'acme/pay');
    expect(await store.get(1)).toEqual([]);
    expect(await store.installations()).toEqual([1]);
    await store.remove(1);
    expect(await store.installations()).toEqual([]);
  });
});
