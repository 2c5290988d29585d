import { describe, expect, it } from 'vitest';
import { deliveriesToRedeliver } from '../../src/engine/failed-deliveries.js';

const attempt = (id: number, guid: string, statusCode: number, redelivery = false) => ({ id, guid, statusCode, redelivery });

describe('which failed deliveries to redeliver', () => {
  it('an event whose only attempt got no 2xx (or no answer at all), once', () => {
    expect(deliveriesToRedeliver([attempt(3, 'c', 0), attempt(2, 'b', 500), attempt(1, 'a', 204)], new Set())).toEqual([attempt(3, 'c', 0), attempt(2, 'b', 500)]);
  });

  it('not one already redelivered, whether that worked or not, nor one this process asked for', () => {
    expect(deliveriesToRedeliver([attempt(4, 'a', 200, true), attempt(3, 'b', 500, true), attempt(2, 'a', 500), attempt(1, 'b', 0)], new Set())).toEqual([]);
    expect(deliveriesToRedeliver([attempt(1, 'a', 500)], new Set(['a']))).toEqual([]);
  });

  it('a 3xx as failed too: GitHub does not follow redirects, so the event never reached a handler', () => {
    expect(deliveriesToRedeliver([attempt(1, 'a', 302)], new Set())).toEqual([attempt(1, 'a', 302)]);
  });
});
