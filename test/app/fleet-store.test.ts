import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryFleetStore, RedisFleetStore } from '../../src/app/fleet-store.js';
import type { FleetEntry } from '../../src/engine/fleet-inventory.js';
import { RedisServer } from '../support/redis-server.js';

const seenAt = '2026-12-01T13:00:00Z';
const entry = (repo: string, state: FleetEntry['state'] = 'behind'): FleetEntry =>
  ({ repo, template: 'acme/tpl', version: 'v1.0.0', commit: 'a'.repeat(40), latest: 'v1.1.0', state, seenAt });
const byRepo = (entries: FleetEntry[] | undefined) => entries && [...entries].sort((a, b) => a.repo.localeCompare(b.repo));

let redis: RedisServer;
const clients: Redis[] = [];
let nextInstallation = 100;

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.quit()));
  await redis.stop();
});

/** A Redis store as one process of the app makes it: a connection of its own to the shared server. */
function redisStore(): RedisFleetStore {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  clients.push(client);
  return new RedisFleetStore(client);
}

/**
 * Both stores keep one contract (the tracker cannot tell which it has); each test takes
 * installation ids of its own, as the Redis server is shared by the whole file.
 */
describe.each([
  { name: 'in memory', make: () => { const store = new MemoryFleetStore(); return () => store; } },
  { name: 'in Redis', make: () => redisStore },
])('the fleet store, $name', ({ make }) => {
  it('knows no inventory of an installation never scanned: a patch before the first scan is kept for it, and a scan keeps what events saw after it began', async () => {
    const store = make()();
    const installation = nextInstallation++;
    const [scanBegan, during, before] = ['2026-12-01T13:00:00.000Z', '2026-12-01T13:00:05.000Z', '2026-12-01T12:59:00.000Z'];
    // A fan-out and an update while the first scan reads the installation: a PR opened, a repository the scan read as it was.
    await store.patch(installation, [{ ...entry('acme/pay', 'update-open'), seenAt: during }, { ...entry('acme/new'), seenAt: during }, { ...entry('acme/old', 'conflicts'), seenAt: before }]);
    expect(await store.get(installation)).toBeUndefined();
    expect(await store.installations()).not.toContain(installation);
    expect(await store.entry(installation, 'ACME/Pay')).toEqual({ ...entry('acme/pay', 'update-open'), seenAt: during });

    const scanned = (repo: string, state?: FleetEntry['state']) => ({ ...entry(repo, state), seenAt: scanBegan });
    await store.put(installation, [scanned('acme/pay'), scanned('acme/old'), scanned('acme/ord', 'in-line')], scanBegan);
    expect(byRepo(await store.get(installation))).toEqual([
      { ...entry('acme/new'), seenAt: during }, scanned('acme/old'), scanned('acme/ord', 'in-line'), { ...entry('acme/pay', 'update-open'), seenAt: during },
    ]);
    expect(await store.installations()).toContain(installation);
  });

  it('a scan replaces the whole inventory; a scan that found nothing is an empty one, not an unknown one', async () => {
    const store = make()();
    const installation = nextInstallation++;
    await store.put(installation, [entry('acme/pay'), entry('acme/ord', 'in-line')]);
    expect(byRepo(await store.get(installation))).toEqual([entry('acme/ord', 'in-line'), entry('acme/pay')]);
    await store.put(installation, [entry('acme/inv', 'drifted')]);
    expect(await store.get(installation)).toEqual([entry('acme/inv', 'drifted')]);
    await store.put(installation, []);
    expect(await store.get(installation)).toEqual([]);
    expect(await store.installations()).toContain(installation);
  });

  it('patches one repository by name in any letter case, and forgets a repository, then the installation', async () => {
    const store = make()();
    const [installation, other] = [nextInstallation++, nextInstallation++];
    await store.put(installation, [entry('acme/pay'), entry('acme/ord')]);
    await store.put(other, [entry('acme/pay')]);
    await store.patch(installation, [{ ...entry('ACME/Pay', 'update-open'), url: 'https://github.com/acme/pay/pull/4' }]);
    expect(byRepo(await store.get(installation))).toEqual([entry('acme/ord'), { ...entry('ACME/Pay', 'update-open'), url: 'https://github.com/acme/pay/pull/4' }]);
    expect(await store.get(other), 'another installation is untouched').toEqual([entry('acme/pay')]);

    await store.remove(installation, 'Acme/Ord');
    await store.remove(installation, 'acme/pay');
    expect(await store.get(installation), 'scanned, with nothing left in it').toEqual([]);
    await store.remove(installation);
    expect(await store.get(installation)).toBeUndefined();
    expect(await store.installations()).not.toContain(installation);
    expect(await store.installations()).toContain(other);
  });
});

describe('the fleet store in Redis, shared by the processes of the app', () => {
  it("what one process scans, another serves; each one's patch of a different repository keeps the other's", async () => {
    const [one, two] = [redisStore(), redisStore()];
    const installation = nextInstallation++;
    expect(await two.get(installation)).toBeUndefined();
    await one.put(installation, [entry('acme/pay'), entry('acme/ord'), entry('acme/inv')]);
    expect(byRepo(await two.get(installation))).toEqual([entry('acme/inv'), entry('acme/ord'), entry('acme/pay')]);
    expect(await two.installations()).toContain(installation);

    // Two events handled at once by two processes: neither overwrites the inventory with its own stale copy.
    await Promise.all([
      one.patch(installation, [entry('acme/pay', 'update-open')]),
      two.patch(installation, [entry('acme/ord', 'declined')]),
    ]);
    const expected = [entry('acme/inv'), entry('acme/ord', 'declined'), entry('acme/pay', 'update-open')];
    expect(byRepo(await one.get(installation))).toEqual(expected);
    expect(byRepo(await two.get(installation))).toEqual(expected);

    await two.remove(installation);
    expect(await one.get(installation)).toBeUndefined();
  });

  it('a new process (a fresh connection) finds the inventory a process that is gone left behind', async () => {
    const installation = nextInstallation++;
    const client = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    await new RedisFleetStore(client).put(installation, [entry('acme/pay', 'conflicts')]);
    await client.quit();
    expect(await redisStore().get(installation)).toEqual([entry('acme/pay', 'conflicts')]);
  });
});
