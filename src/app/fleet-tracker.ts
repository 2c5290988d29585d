import type { FleetEntry } from '../engine/fleet-inventory.js';
import type { Platform, RepoId } from '../github/platform.js';
import type { Job } from '../queue/job.js';
import { entryAfterClose, entryAfterUpdate, type EntryChange } from '../workflows/fleet-events.js';
import type { Log } from '../workflows/log.js';
import { refreshDashboards } from '../workflows/refresh-dashboard.js';
import type { UpdateOutcome } from '../workflows/update-repository.js';
import type { FleetStore } from './fleet-store.js';

export interface FleetTrackerDependencies {
  readonly store: FleetStore;
  /** The inventory of one installation, read from GitHub (the reconcile scan). */
  readonly scan: (installation: number) => Promise<FleetEntry[]>;
  /** GitHub for one installation, for the dashboard issues. */
  readonly platform: (installation: number) => Promise<Platform>;
  /** Every installation of the app (for the web page, which shows them all). */
  readonly installations: () => Promise<number[]>;
  /** Queues a job (the dashboard refresh), so the app is not idle while a dashboard is being written. */
  readonly enqueue: (job: Job) => Promise<void>;
  /** Whether the `Template adoption` issues are written at all. */
  readonly dashboards: boolean;
  /** The least time between two refreshes of one installation's dashboards. */
  readonly intervalMs: number;
  readonly pageUrl?: (template: string) => string;
  /** The dashboard body's size limit; GitHub's when absent. */
  readonly maxChars?: number;
  readonly log: Log;
}

/**
 * Keeps the inventory fresh between scans, and the `Template adoption` issues with it. Events
 * the app already receives patch the entries they decide (an update PR opened, a merge, a
 * decline) and mark the installation for a rescan where they cannot (a failure, a release). The
 * dashboards of an installation are then refreshed at most once per `intervalMs`: the first
 * change refreshes at once, changes within the interval are gathered into one refresh at its end.
 * The refresh itself is a queued job (`refresh-dashboard`) that carries whether a rescan is due,
 * so any process's worker can run it.
 */
export class FleetTracker {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly lastRun = new Map<number, number>();
  private readonly dirty = new Set<number>();
  /** Installations whose refresh runs in this process now, and those changed meanwhile. */
  private readonly refreshing = new Set<number>();
  private readonly changedWhileRefreshing = new Set<number>();

  constructor(private readonly deps: FleetTrackerDependencies) {}

  /** The installation's entries: the last scan with the events since, or a scan now when there is none. */
  async entries(installation: number): Promise<FleetEntry[]> {
    const stored = this.dirty.has(installation) ? undefined : await this.deps.store.get(installation);
    if (stored) return stored;
    return this.rescan(installation);
  }

  /** Every installation's entries, for the web page. */
  async allEntries(): Promise<FleetEntry[]> {
    const installations = new Set([...await this.deps.store.installations(), ...await this.deps.installations()]);
    const lists = await Promise.all([...installations].map((installation) => this.entries(installation).catch((error: unknown) => {
      this.deps.log.warn({ err: error, installation }, 'could not read the fleet of an installation');
      return [];
    })));
    return lists.flat();
  }

  /** An update ran: its outcome says what the repository's state is now, or that a scan must tell. */
  async afterUpdate(installation: number, repo: RepoId, outcome: UpdateOutcome): Promise<void> {
    await this.apply(installation, repo, (entry, seenAt) => entryAfterUpdate(entry, outcome, seenAt));
  }

  /** The app's update PR was closed: merged or declined. */
  async afterClose(installation: number, repo: RepoId, pull: { merged: boolean; url: string; to: string }): Promise<void> {
    await this.apply(installation, repo, (entry, seenAt) => entryAfterClose(entry, pull, seenAt));
  }

  /**
   * A scan made elsewhere (the reconcile's) is the inventory now, and the dashboards are brought
   * up to date with it. An installation already marked for a rescan stays marked: the mark may
   * be newer than the scan.
   */
  async scanned(installation: number, entries: readonly FleetEntry[]): Promise<void> {
    await this.deps.store.put(installation, entries);
    this.schedule(installation);
  }

  /** Something changed that only a scan can read (a release fan-out): rescan, then refresh. */
  changed(installation: number): void {
    this.dirty.add(installation);
    this.schedule(installation);
  }

  /** The dashboards should be rendered again now (a person ticked boxes), within the interval. */
  refreshSoon(installation: number): void {
    this.schedule(installation);
  }

  /** The installation is gone: its entries and pending refresh with it. */
  async forget(installation: number): Promise<void> {
    clearTimeout(this.timers.get(installation));
    this.timers.delete(installation);
    this.dirty.delete(installation);
    this.changedWhileRefreshing.delete(installation);
    await this.deps.store.remove(installation);
  }

  /** Dashboard refreshes waiting for their interval: work the app still has in hand. */
  pending(): number {
    return this.timers.size + this.changedWhileRefreshing.size;
  }

  private async apply(installation: number, repo: RepoId, change: (entry: FleetEntry | undefined, seenAt: string) => EntryChange): Promise<void> {
    const name = `${repo.owner}/${repo.repo}`.toLowerCase();
    const stored = await this.deps.store.get(installation);
    const result = change(stored?.find((entry) => entry.repo.toLowerCase() === name), new Date().toISOString());
    if (result === 'rescan') this.dirty.add(installation);
    else if (result === 'gone') await this.deps.store.remove(installation, `${repo.owner}/${repo.repo}`);
    else await this.deps.store.patch(installation, result);
    this.schedule(installation);
  }

  private async rescan(installation: number): Promise<FleetEntry[]> {
    this.dirty.delete(installation);
    const entries = await this.deps.scan(installation);
    await this.deps.store.put(installation, entries);
    return entries;
  }

  private schedule(installation: number): void {
    if (!this.deps.dashboards || this.timers.has(installation)) return; // the refresh already waiting will see this change
    const wait = Math.max(0, (this.lastRun.get(installation) ?? -Infinity) + this.deps.intervalMs - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(installation);
      // A refresh that already read the inventory would swallow this one (equal jobs collapse
      // into a running one): this change gets its own once that refresh is done.
      if (this.refreshing.has(installation)) {
        this.changedWhileRefreshing.add(installation);
        return;
      }
      this.lastRun.set(installation, Date.now());
      const rescan = this.dirty.has(installation);
      this.deps.enqueue({ kind: 'refresh-dashboard', installationId: installation, reason: 'fleet', explicit: false, rescan })
        .catch((error: unknown) => this.deps.log.warn({ err: error, installation }, 'could not queue the dashboard refresh'));
    }, wait);
    timer.unref();
    this.timers.set(installation, timer);
  }

  /** The `refresh-dashboard` job: renders the installation's dashboards from its entries (scanned again first when `rescan`). */
  async refreshNow(installation: number, rescan: boolean): Promise<void> {
    this.refreshing.add(installation);
    try {
      const entries = rescan ? await this.rescan(installation) : await this.entries(installation);
      const platform = await this.deps.platform(installation);
      await refreshDashboards(entries, {
        platform, log: this.deps.log,
        ...(this.deps.pageUrl && { pageUrl: this.deps.pageUrl }),
        ...(this.deps.maxChars !== undefined && { maxChars: this.deps.maxChars }),
      });
    } finally {
      this.refreshing.delete(installation);
      if (this.changedWhileRefreshing.delete(installation)) this.schedule(installation);
    }
  }
}
