import { describe, expect, it } from 'vitest';
import { fleetState, isDue, type RepoObservation } from '../../src/engine/fleet-state.js';

const behind: RepoObservation = { target: 'v1.2.0', behind: true, driftedPaths: [] };
const openPull = (to: string | undefined, conflicts = false) => ({ url: 'https://github.com/acme/a/pull/1', conflicts, ...(to !== undefined && { to }) });

describe('a repository\'s fleet state', () => {
  it('puts the "action required" issue before an open PR, an open PR before behind, behind before drift', () => {
    expect(fleetState({ ...behind, problemIssue: 'https://github.com/acme/a/issues/2', openPull: openPull('v1.2.0') })).toEqual({ state: 'action-required', url: 'https://github.com/acme/a/issues/2' });
    expect(fleetState({ ...behind, openPull: openPull('v1.2.0', true) })).toEqual({ state: 'conflicts', url: 'https://github.com/acme/a/pull/1' });
    expect(fleetState({ ...behind, driftedPaths: ['Dockerfile'] })).toEqual({ state: 'behind' });
    expect(fleetState({ ...behind, declinedPull: 'https://github.com/acme/a/pull/3' })).toEqual({ state: 'declined', url: 'https://github.com/acme/a/pull/3' });
    expect(fleetState({ behind: false, driftedPaths: ['Dockerfile'] })).toEqual({ state: 'drifted' });
    expect(fleetState({ behind: false, driftedPaths: [] })).toEqual({ state: 'in-line' });
  });

  it('is due for an update when behind, not declined, and no PR open to the target or past it', () => {
    expect(isDue(behind)).toBe(true);
    expect(isDue({ ...behind, declinedPull: 'u' })).toBe(false);
    expect(isDue({ ...behind, openPull: openPull('v1.2.0') })).toBe(false);
    expect(isDue({ ...behind, openPull: openPull('v1.3.0') })).toBe(false);
    expect(isDue({ ...behind, openPull: openPull('v1.1.0') })).toBe(true);
    expect(isDue({ ...behind, openPull: openPull(undefined) })).toBe(false);
    expect(isDue({ behind: false, target: 'v1.2.0', driftedPaths: ['Dockerfile'] })).toBe(false);
  });
});
