import type { FleetEntry } from '../engine/fleet-inventory.js';
import { sameTemplate } from '../engine/template-identity.js';
import type { Platform, RepoId } from '../github/platform.js';
import type { Job } from '../queue/job.js';
import { entryAfterClose, entryAfterRelease, entryAfterUpdate, type EntryChange, type ReleaseSighting } from '../workflows/fleet-events.js';
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
 * the app already receives patch the entries they decide (a release's fan-out with what it read,
 * an update PR opened, a merge, a decline) and mark the installation for a rescan where they
 * cannot (a failure, a skip). A scan in hand in this process is waited for, not doubled. The
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
  /** Scans in hand in this process, per installation: reads of the inventory wait for them. */
  private readonly scanning = new Map<number, Promise<unknown>>();
  /** Installations whose refresh was left to the scan in hand. */
  private readonly afterScan = new Set<number>();

  constructor(private readonly deps: FleetTrackerDependencies) {}

  /** The installation's entries: the last scan with the events since, or a scan now when there is none. */
  async entries(installation: number): Promise<FleetEntry[]> {
    await this.scanning.get(installation)?.catch(() => undefined);
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
   * A release's fan-out read every repository's answers file: entries of the template follow
   * the release from those reads (its updates' outcomes then patch them), so no scan reads the
   * installation again for it. Before the installation's first scan, only the repositories
   * behind get an entry (for their updates to patch; that scan keeps them); a repository the
   * inventory lacks, or one that left the template, is left to a rescan.
   */
  async afterRelease(installation: number, release: ReleaseSighting): Promise<void> {
    const stored = await this.deps.store.get(installation);
    const known = new Map((stored ?? []).map((entry) => [entry.repo.toLowerCase(), entry]));
    const seenAt = new Date().toISOString();
    const patches: FleetEntry[] = [];
    let rescan = false;
    for (const read of release.repos) {
      const change = entryAfterRelease(known.get(read.repo.toLowerCase()), read, release, seenAt);
      if (change === 'rescan' || change === 'gone') rescan = true;
      else if (change !== 'keep') patches.push(change);
    }
    const left = new Set(release.others.map((repo) => repo.toLowerCase()));
    if ([...known.values()].some((entry) => left.has(entry.repo.toLowerCase()) && sameTemplate(entry.template, release.template))) rescan = true;
    await this.deps.store.patch(installation, patches);
    // Unscanned, the first read of the inventory scans anyway.
    if (rescan && stored) this.dirty.add(installation);
    if (patches.length > 0 || rescan) this.schedule(installation);
  }

  /**
   * A scan made elsewhere (the reconcile's) runs in `run`: reads of the inventory wait for it
   * rather than scan again, and what it found (`scanned`, with the time it began) is the
   * inventory, brought to the dashboards. An installation already marked for a rescan stays
   * marked: the mark may be newer than the scan.
   */
  async scanWith<T>(installation: number, run: (scanned: (entries: readonly FleetEntry[], since: string) => Promise<void>) => Promise<T>): Promise<T> {
    let ended!: () => void;
    const scan = new Promise<void>((resolve) => (ended = resolve));
    const end = () => {
      this.scanEnded(installation, scan);
      ended();
    };
    this.scanning.set(installation, scan);
    try {
      return await run(async (entries, since) => {
        await this.deps.store.put(installation, entries, since).finally(end);
        this.schedule(installation);
      });
    } finally {
      end();
    }
  }

  /** Something changed that only a scan can read (a failed update): rescan, then refresh. */
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
    this.afterScan.delete(installation);
    await this.deps.store.remove(installation);
  }

  /** Dashboard refreshes waiting for their interval: work the app still has in hand. */
  pending(): number {
    return this.timers.size + this.changedWhileRefreshing.size + this.afterScan.size;
  }

  private async apply(installation: number, repo: RepoId, change: (entry: FleetEntry | undefined, seenAt: string) => EntryChange): Promise<void> {
    const name = `${repo.owner}/${repo.repo}`;
    const result = change(await this.deps.store.entry(installation, name), new Date().toISOString());
    if (result === 'rescan') this.dirty.add(installation);
    else if (result === 'gone') await this.deps.store.remove(installation, name);
    else await this.deps.store.patch(installation, [result]);
    this.schedule(installation);
  }

  private async rescan(installation: number): Promise<FleetEntry[]> {
    const scan = (async () => {
      this.dirty.delete(installation);
      const since = new Date().toISOString();
      await this.deps.store.put(installation, await this.deps.scan(installation), since);
    })();
    this.scanning.set(installation, scan);
    try {
      await scan;
    } finally {
      this.scanEnded(installation, scan);
    }
    // The scan with what events saw meanwhile.
    return (await this.deps.store.get(installation)) ?? [];
  }

  private scanEnded(installation: number, scan: Promise<unknown>): void {
    if (this.scanning.get(installation) !== scan) return;
    this.scanning.delete(installation);
    if (this.afterScan.delete(installation)) this.schedule(installation);
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
    // This refresh would only wait for the scan in hand: the dashboards are refreshed after it.
    if (this.scanning.has(installation)) {
      this.afterScan.add(installation);
      return;
    }
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
