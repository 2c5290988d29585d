import type { Redis } from 'ioredis';
import type { FleetEntry } from '../engine/fleet-inventory.js';

/**
 * The last inventory seen per installation: a cache of what GitHub holds, never a record of its
 * own (losing it loses nothing; the next scan rebuilds it). In memory for one process; with
 * `REDIS_URL`, in Redis, so every process of the app serves and updates the same one.
 */
export interface FleetStore {
  /** The installation's entries; undefined when none was scanned yet. */
  get(installation: number): Promise<FleetEntry[] | undefined>;
  /** Replaces the installation's entries with a scan's. */
  put(installation: number, entries: readonly FleetEntry[]): Promise<void>;
  /** Replaces one repository's entry (an event saw it change); nothing when the installation was never scanned. */
  patch(installation: number, entry: FleetEntry): Promise<void>;
  /** Forgets one repository (it stopped following a template), or the whole installation. */
  remove(installation: number, repo?: string): Promise<void>;
  /** The installations that have entries. */
  installations(): Promise<number[]>;
}

const key = (repo: string) => repo.toLowerCase();

export class MemoryFleetStore implements FleetStore {
  private readonly byInstallation = new Map<number, Map<string, FleetEntry>>();

  get(installation: number): Promise<FleetEntry[] | undefined> {
    const entries = this.byInstallation.get(installation);
    return Promise.resolve(entries && [...entries.values()]);
  }

  put(installation: number, entries: readonly FleetEntry[]): Promise<void> {
    this.byInstallation.set(installation, new Map(entries.map((entry) => [key(entry.repo), entry])));
    return Promise.resolve();
  }

  patch(installation: number, entry: FleetEntry): Promise<void> {
    this.byInstallation.get(installation)?.set(key(entry.repo), entry);
    return Promise.resolve();
  }

  remove(installation: number, repo?: string): Promise<void> {
    if (repo === undefined) this.byInstallation.delete(installation);
    else this.byInstallation.get(installation)?.delete(key(repo));
    return Promise.resolve();
  }

  installations(): Promise<number[]> {
    return Promise.resolve([...this.byInstallation.keys()]);
  }
}

const PREFIX = 'template-drift:fleet';

/**
 * One Redis hash per installation (`template-drift:fleet:<id>`, field = repository), and a set of
 * the installations that have one: an event's patch writes one field, so two processes patching
 * different repositories never lose each other's change, and a scan replaces the hash in one
 * MULTI. A patch before any scan is dropped, as in memory (HSETs only where the hash exists).
 */
export class RedisFleetStore implements FleetStore {
  constructor(private readonly redis: Redis) {}

  async get(installation: number): Promise<FleetEntry[] | undefined> {
    const fields = await this.redis.hgetall(hashKey(installation));
    const values = Object.values(fields);
    if (values.length === 0) return (await this.redis.sismember(`${PREFIX}:installations`, String(installation))) ? [] : undefined;
    return values.map((value) => JSON.parse(value) as FleetEntry);
  }

  async put(installation: number, entries: readonly FleetEntry[]): Promise<void> {
    const multi = this.redis.multi().del(hashKey(installation)).sadd(`${PREFIX}:installations`, String(installation));
    if (entries.length > 0) multi.hset(hashKey(installation), Object.fromEntries(entries.map((entry) => [key(entry.repo), JSON.stringify(entry)])));
    await multi.exec();
  }

  async patch(installation: number, entry: FleetEntry): Promise<void> {
    if (!(await this.redis.sismember(`${PREFIX}:installations`, String(installation)))) return;
    await this.redis.hset(hashKey(installation), key(entry.repo), JSON.stringify(entry));
  }

  async remove(installation: number, repo?: string): Promise<void> {
    if (repo !== undefined) {
      await this.redis.hdel(hashKey(installation), key(repo));
      return;
    }
    await this.redis.multi().del(hashKey(installation)).srem(`${PREFIX}:installations`, String(installation)).exec();
  }

  async installations(): Promise<number[]> {
    return (await this.redis.smembers(`${PREFIX}:installations`)).map(Number).filter(Number.isInteger);
  }
}

function hashKey(installation: number): string {
  return `${PREFIX}:${installation}`;
}
