import { describe, expect, it } from 'vitest';
import { ARRIVAL_MARGIN_MS, HOUR_MS, MINUTE_MS, writeDelay, writeLimits } from '../../src/github/write-budget.js';

const TWO_A_SECOND = [{ count: 2, windowMs: 1000 }];

describe('the write budget in sliding windows', () => {
  it.each([
    { sent: [], paused: 0, now: 5000, wait: 0, why: 'nothing sent yet' },
    { sent: [4500], paused: 0, now: 5000, wait: 0, why: 'one of two in the window' },
    { sent: [4200, 4500], paused: 0, now: 5000, wait: 201, why: 'full: the oldest of the two must leave' },
    { sent: [3000, 4200, 4500], paused: 0, now: 5000, wait: 201, why: 'a write out of the window does not count' },
    { sent: [3900, 4000], paused: 0, now: 5000, wait: 0, why: 'both just left (the window is open at its old end)' },
    { sent: [], paused: 7000, now: 5000, wait: 2000, why: 'a pause holds writes back with room to spare' },
    { sent: [4200, 4500], paused: 5100, now: 5000, wait: 201, why: 'the later of pause and window decides' },
  ])('$why', ({ sent, paused, now, wait }) => {
    expect(writeDelay(sent, paused, TWO_A_SECOND, now)).toBe(wait);
  });

  it('the hour limit binds even when the minute has room', () => {
    const limits = [{ count: 3, windowMs: 1000 }, { count: 4, windowMs: 10_000 }];
    expect(writeDelay([1000, 2000, 3000, 4000], 0, limits, 4500)).toBe(6501);
  });

  it('TEMPLATE_DRIFT_WRITES_PER_MINUTE and _PER_HOUR become two windows, each counted a little longer; 0 turns one off', () => {
    expect(writeLimits(60, 450)).toEqual([{ count: 60, windowMs: MINUTE_MS + ARRIVAL_MARGIN_MS }, { count: 450, windowMs: HOUR_MS + ARRIVAL_MARGIN_MS }]);
    expect(writeLimits(0, 450)).toEqual([{ count: 450, windowMs: HOUR_MS + ARRIVAL_MARGIN_MS }]);
    expect(writeLimits(0, 0)).toEqual([]);
  });
});
