import { OWNER, type World } from './fleet.js';

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs` (generous: the machine may be loaded). */
export async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many PRs each service has, in order. */
export async function pullCounts(w: World, services: readonly string[]): Promise<number[]> {
  return Promise.all(services.map(async (name) => (await w.github.pulls(OWNER, name)).length));
}
