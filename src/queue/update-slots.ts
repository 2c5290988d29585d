import type { Redis } from 'ioredis';
import { readJob, slotOf, supersedes, type Job } from './job.js';

const SLOTS_KEY = 'template-drift:update-slots';
/** Forgets a slot only while it still names `ARGV[2]`: a newer update recorded meanwhile stays. */
const FORGET = "if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('hdel', KEYS[1], ARGV[1]) return 1 else return 0 end";

type Update = Extract<Job, { kind: 'update' }>;

/**
 * The newest update queued for each (repository, template) slot, in Redis, so every process sees
 * it: an update that starts while a newer target is queued for its slot is superseded and does
 * nothing. (BullMQ deduplicates equal jobs; "newer replaces older" is ours.) A value is the BullMQ
 * id and the record, `id record`.
 */
export class UpdateSlots {
  constructor(private readonly redis: Redis) {}

  /** `job` (BullMQ id `id`) was queued: it becomes its slot's newest unless the slot's holds a target past it. */
  async queued(job: Update, id: string): Promise<void> {
    const slot = slotOf(job);
    const current = parse(await this.redis.hget(SLOTS_KEY, slot));
    if (current && current.id !== id && !supersedes(job, current.job)) return;
    await this.redis.hset(SLOTS_KEY, slot, `${id} ${JSON.stringify(job)}`);
  }

  /** Whether a newer update than `job` is queued or running for its slot: `job` need not be queued at all. */
  async outdated(job: Update): Promise<boolean> {
    const current = parse(await this.redis.hget(SLOTS_KEY, slotOf(job)));
    return current !== undefined && supersedes(current.job, job);
  }

  /** Whether a newer update than `job` (BullMQ id `id`) is queued for its slot. */
  async superseded(job: Update, id: string): Promise<boolean> {
    const current = parse(await this.redis.hget(SLOTS_KEY, slotOf(job)));
    return current !== undefined && current.id !== id && supersedes(current.job, job);
  }

  /** The job finished: its slot is free again, unless a newer one took it. */
  async finished(job: Update, id: string): Promise<void> {
    const slot = slotOf(job);
    const value = await this.redis.hget(SLOTS_KEY, slot);
    if (value?.startsWith(`${id} `)) await this.redis.eval(FORGET, 1, SLOTS_KEY, slot, value);
  }
}

function parse(value: string | null): { id: string; job: Job } | undefined {
  if (!value) return undefined;
  const space = value.indexOf(' ');
  try {
    return { id: value.slice(0, space), job: readJob(JSON.parse(value.slice(space + 1))) };
  } catch {
    return undefined;
  }
}
