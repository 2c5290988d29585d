import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { sleep, type WriteBudget, type WriteLimit } from './write-budget.js';

/**
 * One sliding-window log per app in a Redis sorted set (score: when a write went out), read and
 * written by one script, so that checking for room and counting the write are one atomic step for
 * every process that shares the Redis. The time is Redis's own (TIME), so machines whose clocks
 * differ still agree. It computes what `writeDelay` computes for the in-process budget.
 * KEYS: the log, the end of a pause. ARGV: 'take' | 'peek' | 'pause', a write's id or the pause
 * in ms, then count and window (ms) of each limit.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] == 'pause' then
  local ms = tonumber(ARGV[2])
  if now + ms > tonumber(redis.call('GET', KEYS[2]) or '0') then
    redis.call('SET', KEYS[2], now + ms, 'PX', math.ceil(ms))
  end
  return 0
end
local longest = 0
for i = 3, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i + 1])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local wait = math.max(0, tonumber(redis.call('GET', KEYS[2]) or '0') - now)
for i = 3, #ARGV, 2 do
  local count = tonumber(ARGV[i])
  local window = tonumber(ARGV[i + 1])
  if redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf') >= count then
    local total = redis.call('ZCARD', KEYS[1])
    local blocking = redis.call('ZRANGE', KEYS[1], total - count, total - count, 'WITHSCORES')
    wait = math.max(wait, tonumber(blocking[2]) + window - now + 1)
  end
end
if wait == 0 and ARGV[1] == 'take' and longest > 0 then
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[2])
  redis.call('PEXPIRE', KEYS[1], longest)
end
return math.ceil(wait)
`;

type BudgetRedis = Redis & { writeBudget(log: string, pause: string, ...args: (string | number)[]): Promise<number> };

/**
 * The write budget shared by every process of the app through Redis (REDIS_URL): web servers and
 * workers on any number of machines together stay within one app's limits.
 *
 * Why a script and not a library already in the tree: Bottleneck's reservoir (the throttling
 * plugin's engine) and BullMQ's rate limiter both count in fixed windows, which let twice the
 * limit through across a window's edge, and BullMQ's limits jobs, not requests; Bottleneck's
 * Redis mode is the clustering seen failing here (TOOLCHAIN.md).
 */
export class RedisWriteBudget implements WriteBudget {
  private readonly redis: BudgetRedis;
  private readonly keys: [string, string];
  private readonly limitArgs: number[];

  constructor(redisUrl: string, appId: string, limits: readonly WriteLimit[]) {
    this.redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 }) as BudgetRedis;
    this.redis.defineCommand('writeBudget', { numberOfKeys: 2, lua: SCRIPT });
    // One hash tag, so both keys sit in the same slot of a Redis Cluster.
    const base = `{template-drift:writes:${appId}}`;
    this.keys = [`${base}:sent`, `${base}:paused`];
    this.limitArgs = limits.flatMap((limit) => [limit.count, limit.windowMs]);
  }

  async take(): Promise<void> {
    const id = randomUUID();
    for (let wait = await this.run('take', id); wait > 0; wait = await this.run('take', id)) await sleep(wait);
  }

  async whenOpen(): Promise<void> {
    for (let wait = await this.run('peek', ''); wait > 0; wait = await this.run('peek', '')) await sleep(wait);
  }

  async pause(seconds: number): Promise<void> {
    await this.run('pause', String(Math.ceil(seconds * 1000)));
  }

  async close(): Promise<void> {
    if (this.redis.status === 'wait') this.redis.disconnect();
    else await this.redis.quit();
  }

  private run(action: 'take' | 'peek' | 'pause', argument: string): Promise<number> {
    return this.redis.writeBudget(...this.keys, action, argument, ...this.limitArgs);
  }
}
