/**
 * SIGTERM (a deploy, `docker stop`) and SIGINT: `stop` runs once (stop taking work, let running
 * jobs finish or hand them back within the grace period), then the process exits. A second
 * signal exits at once. Probot's `run()` installs a SIGINT handler of its own that exits as soon
 * as the HTTP server is closed; `takeOver` removes the handlers installed since `before`, so the
 * jobs get their grace on either signal.
 */
export function onShutdown(
  stop: () => Promise<void>,
  log: { info(message: string): void; error(fields: object, message: string): void },
  before: { readonly SIGINT: readonly unknown[] } = { SIGINT: [] },
): void {
  for (const listener of process.listeners('SIGINT')) {
    if (!before.SIGINT.includes(listener)) process.off('SIGINT', listener);
  }
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info(`${signal}: stopping; running jobs finish or go back to the queue`);
    stop().then(() => process.exit(0), (error: unknown) => {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** The signal handlers present now, for `onShutdown` to keep. */
export function signalHandlers(): { readonly SIGINT: readonly unknown[] } {
  return { SIGINT: process.listeners('SIGINT') };
}

/**
 * The environment Probot is given: without REDIS_URL. With it, Probot hands a Redis connection to
 * the throttling plugin's Bottleneck (clustered throttling), whose scripts do not recognise
 * Redis 7's `ERR`-prefixed SETTINGS_KEY_NOT_FOUND answer and fail requests. Each process keeps
 * its own throttle; the app's writes are paced across processes by its own write budget in Redis
 * (src/github/redis-write-budget.ts), and the job queue uses REDIS_URL itself.
 */
export function probotEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const rest = { ...env };
  delete rest.REDIS_URL;
  return rest;
}
