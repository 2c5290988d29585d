import { describe, expect, it } from 'vitest';
import { groupFleet, type FleetEntry } from '../../src/engine/fleet-inventory.js';

const seenAt = '2026-12-01T12:00:00Z';
const entry = (repo: string, state: FleetEntry['state'], template = 'acme/service-template'): FleetEntry =>
  ({ repo, template, version: 'v1.0.0', latest: 'v1.1.0', state, seenAt });

describe('the fleet inventory', () => {
  it('groups entries per template (any letter case), counts every state, most urgent first', () => {
    const fleets = groupFleet([
      entry('acme/b', 'in-line'), entry('acme/a', 'in-line'), entry('acme/c', 'action-required', 'ACME/Service-Template'),
      entry('acme/d', 'behind'), entry('acme/e', 'conflicts'), entry('acme/x', 'behind', 'acme/other-template'),
    ]);
    expect(fleets.map((fleet) => fleet.template)).toEqual(['acme/other-template', 'acme/service-template']);
    const [, service] = fleets;
    expect(service!.repos.map((row) => row.repo)).toEqual(['acme/c', 'acme/e', 'acme/d', 'acme/a', 'acme/b']);
    expect(service!.counts).toEqual({ 'action-required': 1, conflicts: 1, behind: 1, drifted: 0, 'update-open': 0, declined: 0, 'in-line': 2 });
    expect(service!.latest).toBe('v1.1.0');
  });

  it('is empty for no entries', () => {
    expect(groupFleet([])).toEqual([]);
  });
});
