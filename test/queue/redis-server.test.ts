import { describe, expect, it } from 'vitest';
import { RedisServer } from '../support/redis-server.js';

describe('the test Redis (test/support/redis-server.ts)', () => {
  it('runs on loopback with no persistence and noeviction, and is gone once stopped', async () => {
    const redis = await RedisServer.start();
    const client = redis.client();
    try {
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    } finally {
      client.disconnect();
    }
    await redis.stop();
    expect(() => process.kill(redis.pid, 0)).toThrow(/ESRCH/);
  });
});
