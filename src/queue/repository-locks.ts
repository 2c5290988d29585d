import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const PREFIX = 'template-drift:repository-lock:';
// Renewed and released only by the holder: a lock that lapsed and was taken by another process stays theirs.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export interface RepositoryLock {
  /** Extends the lock; false when it lapsed meanwhile (the job must stop: another may run). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One lock per repository in Redis, held by the process running that repository's job: BullMQ's
 * open-source edition has no groups, and jobs of one repository must never run at the same time
 * in two processes. A lock lapses `ttlMs` after its last renewal, so a killed process's
 * repository is free again about when BullMQ hands its job to another worker.
 */
export class RepositoryLocks {
  constructor(private readonly redis: Redis, private readonly ttlMs: number) {}

  async acquire(repository: string): Promise<RepositoryLock | undefined> {
    const key = `${PREFIX}${repository}`;
    const holder = randomUUID();
    if ((await this.redis.set(key, holder, 'PX', this.ttlMs, 'NX')) !== 'OK') return undefined;
    return {
      renew: async () => (await this.redis.eval(RENEW, 1, key, holder, String(this.ttlMs))) === 1,
      release: async () => {
        await this.redis.eval(RELEASE, 1, key, holder);
      },
    };
  }
}
