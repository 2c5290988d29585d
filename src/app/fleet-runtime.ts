import { Redis } from 'ioredis';
import type { Probot } from 'probot';
import type { FleetEntry } from '../engine/fleet-inventory.js';
import type { Platform } from '../github/platform.js';
import type { Job } from '../queue/job.js';
import { FLEET_PATH } from './fleet-handler.js';
import { MemoryFleetStore, RedisFleetStore, type FleetStore } from './fleet-store.js';
import { FleetTracker } from './fleet-tracker.js';
import type { FleetSettings } from './settings.js';

export interface FleetParts {
  readonly scan: (installation: number) => Promise<FleetEntry[]>;
  readonly platform: (installation: number) => Promise<Platform>;
  readonly installations: () => Promise<number[]>;
  readonly enqueue: (job: Job) => Promise<void>;
}

/** The fleet tracker as the settings ask for it: Redis or memory, issues on or off, the page's link, the body's limit. */
export function createFleetTracker(app: Probot, settings: FleetSettings | undefined, redisUrl: string | undefined, parts: FleetParts): FleetTracker {
  const publicUrl = settings?.publicUrl;
  return new FleetTracker({
    ...parts,
    store: fleetStore(redisUrl),
    dashboards: settings?.dashboardIssues ?? false,
    intervalMs: (settings?.dashboardIntervalSeconds ?? 60) * 1000,
    ...(settings?.dashboardMaxChars !== undefined && { maxChars: settings.dashboardMaxChars }),
    // The link never carries the token: a person opens it with the token once, or has the cookie.
    ...(publicUrl && settings.pageToken && { pageUrl: (template: string) => `${publicUrl}${FLEET_PATH}?template=${encodeURIComponent(template)}` }),
    log: app.log,
  });
}

function fleetStore(redisUrl: string | undefined): FleetStore {
  if (!redisUrl) return new MemoryFleetStore();
  // Commands wait while Redis is away (ioredis queues them) but fail after a few tries instead of hanging a webhook's job.
  return new RedisFleetStore(new Redis(redisUrl, { maxRetriesPerRequest: 3 }));
}
