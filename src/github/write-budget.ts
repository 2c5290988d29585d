/**
 * GitHub's secondary rate limits allow an app about 80 content-creating requests a minute and 500
 * an hour, REST, GraphQL and the web UI together; the throttling plugin only spaces writes one
 * second apart (3,600 an hour). The write budget keeps the app below both, counted in sliding
 * windows (a fixed window lets twice the limit through around its edge), and holds every write
 * back after GitHub answers with a secondary limit.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 */
export interface WriteBudget {
  /** Waits until one more write may be sent now, and counts it as sent. */
  take(): Promise<void>;
  /**
   * Waits, without counting anything, until the budget has room. Called before a request enters
   * Octokit's own queues, so that a long wait holds none of their slots; `take` follows at sending.
   */
  whenOpen(): Promise<void>;
  /** GitHub answered a write with a secondary limit: no write of the app goes out for `seconds`. */
  pause(seconds: number): Promise<void>;
  close(): Promise<void>;
}

/** At most `count` writes in any `windowMs`. */
export interface WriteLimit {
  readonly count: number;
  readonly windowMs: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/**
 * GitHub counts a write when it arrives, a little after the slot was taken (a git push starts a
 * process and asks for the refs first): each write is counted this much longer than its window.
 */
export const ARRIVAL_MARGIN_MS = 2_000;

/** The limits for TEMPLATE_DRIFT_WRITES_PER_MINUTE and _PER_HOUR; 0 turns one off. */
export function writeLimits(perMinute: number, perHour: number): WriteLimit[] {
  return [{ count: perMinute, windowMs: MINUTE_MS + ARRIVAL_MARGIN_MS }, { count: perHour, windowMs: HOUR_MS + ARRIVAL_MARGIN_MS }]
    .filter((limit) => limit.count > 0);
}

/**
 * How long to wait before the next write may go out, given the times writes went out (oldest
 * first, none older than the longest window) and the end of a pause: 0 means now. The Redis
 * budget's script computes the same thing.
 */
export function writeDelay(sent: readonly number[], pausedUntil: number, limits: readonly WriteLimit[], now: number): number {
  let wait = Math.max(0, pausedUntil - now);
  for (const { count, windowMs } of limits) {
    const inWindow = sent.filter((at) => at > now - windowMs);
    // The write that has to leave the window before one more fits: the count-th newest.
    const blocking = inWindow.length >= count ? inWindow[inWindow.length - count] : undefined;
    if (blocking !== undefined) wait = Math.max(wait, blocking + windowMs - now + 1);
  }
  return wait;
}

/** The budget of one process: enough when the app runs as one process (no REDIS_URL). */
export class InProcessWriteBudget implements WriteBudget {
  private readonly sent: number[] = [];
  private pausedUntil = 0;
  private readonly longest: number;

  constructor(private readonly limits: readonly WriteLimit[], private readonly clock: () => number = Date.now) {
    this.longest = Math.max(0, ...limits.map((limit) => limit.windowMs));
  }

  async take(): Promise<void> {
    // Checking and counting happen in one turn of the event loop, so two takes never share a slot.
    for (let wait = this.delay(); wait > 0; wait = this.delay()) await sleep(wait);
    this.sent.push(this.clock());
  }

  async whenOpen(): Promise<void> {
    for (let wait = this.delay(); wait > 0; wait = this.delay()) await sleep(wait);
  }

  pause(seconds: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + seconds * 1000);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private delay(): number {
    const now = this.clock();
    while (this.sent.length > 0 && (this.sent[0] ?? now) <= now - this.longest) this.sent.shift();
    return writeDelay(this.sent, this.pausedUntil, this.limits, now);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
