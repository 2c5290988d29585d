import { afterAll, afterEach, beforeAll } from 'vitest';
import { World } from './fleet.js';

/**
 * One World (local GitHub + app process) for a whole test file; each test uses its own template
 * and service names. After each test, no request the app made may have broken GitHub's REST
 * description.
 */
export function useWorld(options: Parameters<typeof World.start>[0] = {}): () => World {
  let world: World | undefined;
  beforeAll(async () => {
    world = await World.start(options);
  });
  afterAll(async () => {
    await world?.stop();
  });
  afterEach(() => {
    world?.github.assertNoViolations();
  });
  return () => {
    if (!world) throw new Error('the World starts in beforeAll');
    return world;
  };
}
