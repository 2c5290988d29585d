import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriteBudget } from '../../src/github/redis-write-budget.js';
import { RedisServer } from '../support/redis-server.js';

let redis: RedisServer;
const budgets: RedisWriteBudget[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await Promise.all(budgets.map((budget) => budget.close()));
  await redis.stop();
});

/** A budget as one process of app `appId` would make it (each its own connection). */
function budget(appId: string, limits: { count: number; windowMs: number }[]): RedisWriteBudget {
  const made = new RedisWriteBudget(redis.url, appId, limits);
  budgets.push(made);
  return made;
}

/** The times (Redis's clock) the budget recorded for an app's writes. */
async function recorded(appId: string): Promise<number[]> {
  const client: Redis = redis.client();
  try {
    const flat = await client.zrange(`{template-drift:writes:${appId}}:sent`, 0, -1, 'WITHSCORES');
    return flat.filter((_, index) => index % 2 === 1).map(Number);
  } finally {
    await client.quit();
  }
}

describe('the write budget shared through Redis', () => {
  it('two processes of one app share it: seven writes at three a second need three windows; another app has its own', async () => {
    const limits = [{ count: 3, windowMs: 1000 }];
    const [one, two] = [budget('41', limits), budget('41', limits)];
    const started = Date.now();
    const sent: number[] = [];
    await Promise.all([one, two, one, two, one, two, one].map((b) => b.take().then(() => sent.push(Date.now()))));
    sent.sort((x, y) => x - y);

    // Redis counts on this machine's clock: the 4th write can go only once the 1st (at or after
    // `started`) has left the window, the 7th once the 4th has. Alone, each process would have let
    // its own three through at once.
    expect(sent[3]! - started).toBeGreaterThanOrEqual(1000);
    expect(sent[6]! - started).toBeGreaterThanOrEqual(2000);
    const inWindow = await recorded('41');
    expect(inWindow.length).toBeLessThanOrEqual(3);

    const other = budget('42', limits);
    const otherStart = Date.now();
    await Promise.all([other.take(), other.take(), other.take()]);
    expect(Date.now() - otherStart).toBeLessThan(1000);
    expect(await recorded('42')).toHaveLength(3);
  });

  it("a secondary-limit pause set by one process holds the other's writes until it ends", async () => {
    const [one, two] = [budget('43', []), budget('43', [])];
    await one.pause(1);
    const started = Date.now();
    await two.whenOpen();
    await two.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
