import type { Redis } from 'ioredis';
import type { FleetEntry } from '../engine/fleet-inventory.js';

/**
 * The last inventory seen per installation: a cache of what GitHub holds, never a record of its
 * own (losing it loses nothing; the next scan rebuilds it). In memory for one process; with
 * `REDIS_URL`, in Redis, so every process of the app serves and updates the same one.
 *
 * An installation is known once a scan has been put. Events may patch entries before that (a
 * release's fan-out and its updates during the first scan): they are kept for the scan, not
 * shown as an inventory, and a scan keeps every entry an event saw after the scan began.
 */
export interface FleetStore {
  /** The installation's entries; undefined when none was scanned yet. */
  get(installation: number): Promise<FleetEntry[] | undefined>;
  /** One repository's entry, whether or not the installation was scanned yet. */
  entry(installation: number, repo: string): Promise<FleetEntry | undefined>;
  /**
   * Replaces the installation's entries with a scan's, but for those an event saw after
   * `since` (when the scan began): what the scan read of them may be older than the event.
   */
  put(installation: number, entries: readonly FleetEntry[], since?: string): Promise<void>;
  /** Replaces some repositories' entries (an event saw them change). */
  patch(installation: number, entries: readonly FleetEntry[]): Promise<void>;
  /** Forgets one repository (it stopped following a template), or the whole installation. */
  remove(installation: number, repo?: string): Promise<void>;
  /** The installations that have been scanned. */
  installations(): Promise<number[]>;
}

const key = (repo: string) => repo.toLowerCase();

/** Whether an event saw the entry after `since` (ISO 8601 times, compared as times). */
function seenAfter(entry: FleetEntry, since: string | undefined): boolean {
  return since !== undefined && Date.parse(entry.seenAt) > Date.parse(since);
}

export class MemoryFleetStore implements FleetStore {
  private readonly byInstallation = new Map<number, Map<string, FleetEntry>>();
  private readonly scanned = new Set<number>();

  get(installation: number): Promise<FleetEntry[] | undefined> {
    const entries = this.byInstallation.get(installation);
    return Promise.resolve(this.scanned.has(installation) ? [...(entries?.values() ?? [])] : undefined);
  }

  entry(installation: number, repo: string): Promise<FleetEntry | undefined> {
    return Promise.resolve(this.byInstallation.get(installation)?.get(key(repo)));
  }

  put(installation: number, entries: readonly FleetEntry[], since?: string): Promise<void> {
    const next = new Map(entries.map((entry) => [key(entry.repo), entry]));
    for (const [name, entry] of this.byInstallation.get(installation) ?? []) if (seenAfter(entry, since)) next.set(name, entry);
    this.byInstallation.set(installation, next);
    this.scanned.add(installation);
    return Promise.resolve();
  }

  patch(installation: number, entries: readonly FleetEntry[]): Promise<void> {
    const known = this.byInstallation.get(installation) ?? new Map<string, FleetEntry>();
    for (const entry of entries) known.set(key(entry.repo), entry);
    this.byInstallation.set(installation, known);
    return Promise.resolve();
  }

  remove(installation: number, repo?: string): Promise<void> {
    if (repo !== undefined) {
      this.byInstallation.get(installation)?.delete(key(repo));
    } else {
      this.byInstallation.delete(installation);
      this.scanned.delete(installation);
    }
    return Promise.resolve();
  }

  installations(): Promise<number[]> {
    return Promise.resolve([...this.scanned]);
  }
}

const PREFIX = 'template-drift:fleet';

/**
 * A scan's put in one step: entries an event saw after the scan began (ARGV[2], in epoch ms)
 * stay, every other field is replaced by the scan's (ARGV[3..], field and value pairs), and
 * the installation (ARGV[1]) becomes known. Atomic, so a patch from another process is either
 * before it (and kept when newer) or after it.
 */
const PUT_SCRIPT = `
local kept = {}
local since = tonumber(ARGV[2])
if since then
  local existing = redis.call('HGETALL', KEYS[1])
  for i = 1, #existing, 2 do
    local ok, entry = pcall(cjson.decode, existing[i + 1])
    if ok and type(entry) == 'table' and type(entry.seenMs) == 'number' and entry.seenMs > since then kept[existing[i]] = existing[i + 1] end
  end
end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], kept[ARGV[i]] or ARGV[i + 1])
  kept[ARGV[i]] = nil
end
for field, value in pairs(kept) do redis.call('HSET', KEYS[1], field, value) end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`;

/**
 * One Redis hash per installation (`template-drift:fleet:<id>`, field = repository), and a set of
 * the installations scanned: an event's patch writes its fields only, so two processes patching
 * different repositories never lose each other's change, and a scan replaces the hash in one
 * script that keeps what events saw after it began. Each value carries its time as epoch ms
 * (`seenMs`) beside the entry, for the script to compare.
 */
export class RedisFleetStore implements FleetStore {
  constructor(private readonly redis: Redis) {}

  async get(installation: number): Promise<FleetEntry[] | undefined> {
    const [known, fields] = await Promise.all([
      this.redis.sismember(`${PREFIX}:installations`, String(installation)),
      this.redis.hgetall(hashKey(installation)),
    ]);
    return known ? Object.values(fields).map(parse) : undefined;
  }

  async entry(installation: number, repo: string): Promise<FleetEntry | undefined> {
    const value = await this.redis.hget(hashKey(installation), key(repo));
    return value === null ? undefined : parse(value);
  }

  async put(installation: number, entries: readonly FleetEntry[], since?: string): Promise<void> {
    const sinceMs = since === undefined ? '' : String(Date.parse(since));
    await this.redis.eval(PUT_SCRIPT, 2, hashKey(installation), `${PREFIX}:installations`, String(installation), sinceMs,
      ...entries.flatMap((entry) => [key(entry.repo), stored(entry)]));
  }

  async patch(installation: number, entries: readonly FleetEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.hset(hashKey(installation), Object.fromEntries(entries.map((entry) => [key(entry.repo), stored(entry)])));
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

function stored(entry: FleetEntry): string {
  return JSON.stringify({ ...entry, seenMs: Date.parse(entry.seenAt) });
}

function parse(value: string): FleetEntry {
  const { seenMs, ...entry } = JSON.parse(value) as FleetEntry & { seenMs?: number };
  void seenMs; // the script's copy of seenAt
  return entry;
}

function hashKey(installation: number): string {
  return `${PREFIX}:${installation}`;
}
