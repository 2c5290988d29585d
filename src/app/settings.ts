import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GITHUB_BODY_LIMIT } from '../engine/fleet-dashboard.js';
import { MAX_RENDER_MB_SETTING, MAX_RENDER_S_SETTING, renderLimits, type RenderLimits } from '../engine/render-budget.js';
import { gitProtocols, parseAllowedHosts, type SourcePolicy } from '../engine/template-source-policy.js';
import { writeLimits, type WriteLimit } from '../github/write-budget.js';
import { HOOK_TIMEOUT_SETTING, hookTimeoutSeconds, TRUST_HOOKS_SETTING } from '../hooks/run-hooks.js';

/** The app's own settings, read once from the environment (Probot reads its own). */
export interface AppSettings {
  /** Where template repositories are cached, by commit. */
  readonly cacheDir: string;
  /** How many repositories are updated at the same time. */
  readonly concurrency: number;
  /** How many of those slots one installation may hold; the rest stay free for other installations. */
  readonly installationConcurrency?: number;
  /** A git transfer that makes no progress for this long is abandoned. */
  readonly gitStallSeconds?: number;
  /** Hours between reconcile scans, which also run at start-up; none (0 or absent): no reconcile. */
  readonly reconcileHours?: number;
  /** Every job's deadline. */
  readonly jobTimeoutSeconds?: number;
  /**
   * Both queues' retries, and the Redis queue's claims (TEMPLATE_DRIFT_JOB_ATTEMPTS, _RETRY_DELAY_S,
   * _JOB_LOCK_S). When absent: the Redis queue's defaults, and the in-process queue does not retry.
   */
  readonly jobRetries?: JobRetrySettings;
  /** TEMPLATE_DRIFT_SHUTDOWN_GRACE_S: how long running jobs may finish after SIGTERM before they are handed back. */
  readonly shutdownGraceSeconds?: number;
  /** The identity of the app's commits; the app recognises its own commits by this email. */
  readonly committer: { readonly name: string; readonly email: string };
  /** Bounds on rendering one template version (`TEMPLATE_DRIFT_MAX_RENDER_MB`, `TEMPLATE_DRIFT_MAX_RENDER_S`); the defaults when absent. */
  readonly renderLimits?: RenderLimits;
  /** Where templates may come from: the served GitHub, and TEMPLATE_DRIFT_ALLOWED_HOSTS; github.com alone when absent. */
  readonly templateSources?: SourcePolicy;
  /** The only protocols git may speak for the app: https, plus http when GHE_PROTOCOL=http; https when absent. */
  readonly gitProtocols?: readonly string[];
  /** GitHub's write budget (TEMPLATE_DRIFT_WRITES_PER_MINUTE, _PER_HOUR); writes are not paced when absent. */
  readonly writeLimits?: readonly WriteLimit[];
  /** The Redis the app's processes share (REDIS_URL): the write budget is counted there, for all of them. */
  readonly redisUrl?: string;
  /** The GitHub App's id (APP_ID): the budget is the app's, whichever installation writes. */
  readonly appId?: string;
  /** The fleet views: the web page's token and the dashboard issues; all off when absent (the app tests). */
  readonly fleet?: FleetSettings;
  /** TEMPLATE_DRIFT_TRUST_HOOKS=true: the operator lets templates' hooks run (exactly `true`; anything else keeps them off). */
  readonly trustHooks?: boolean;
  /** TEMPLATE_DRIFT_HOOK_TIMEOUT_S: how long one hook may run (default 60). */
  readonly hookTimeoutSeconds?: number;
}

export interface JobRetrySettings {
  /** Tries per job, the first included, for failures that can pass (5xx, timeouts, secondary limits, network). */
  readonly attempts: number;
  /** The first retry's delay; each next one doubles. */
  readonly retryDelaySeconds: number;
  /** How long a process's claim on a running job lasts unrenewed: a killed process's job runs elsewhere after about twice this. */
  readonly lockSeconds: number;
}

export interface FleetSettings {
  /** `TEMPLATE_DRIFT_DASHBOARD_TOKEN`: without it, `/template-drift/fleet` does not exist. */
  readonly pageToken?: string;
  /** `TEMPLATE_DRIFT_DASHBOARD_ISSUE` (default true): the `Template adoption` issue in each template repository. */
  readonly dashboardIssues: boolean;
  /** `TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S` (default 60): the least time between two refreshes of one installation's issues. */
  readonly dashboardIntervalSeconds: number;
  /** `TEMPLATE_DRIFT_PUBLIC_URL`: where people reach the app, for the issue's link to the page. */
  readonly publicUrl?: string;
  /** `TEMPLATE_DRIFT_DASHBOARD_MAX_CHARS`: a body limit below GitHub's (tests reach it with a few repositories). */
  readonly dashboardMaxChars?: number;
}

/** The strictest sources: github.com's own repositories, over https. */
export const DEFAULT_TEMPLATE_SOURCES: SourcePolicy = { serverUrl: 'https://github.com', allowedHosts: [] };

export const DEFAULT_GIT_STALL_S = 60;
export const DEFAULT_JOB_TIMEOUT_S = 600;
export const DEFAULT_SHUTDOWN_GRACE_S = 30;

export function readSettings(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const concurrency = positiveInteger(env.TEMPLATE_DRIFT_CONCURRENCY, 4);
  // The GitHub Probot talks to (it reads the same two variables): github.com unless Enterprise.
  const serverUrl = env.GHE_HOST ? `${env.GHE_PROTOCOL || 'https'}://${env.GHE_HOST}` : 'https://github.com';
  const templateSources = { serverUrl: new URL(serverUrl).origin, allowedHosts: parseAllowedHosts(env.TEMPLATE_DRIFT_ALLOWED_HOSTS) };
  return {
    cacheDir: env.TEMPLATE_DRIFT_CACHE_DIR || join(tmpdir(), 'template-drift-cache'),
    concurrency,
    // One slot stays free for other installations whenever there are two or more.
    installationConcurrency: Math.min(concurrency, positiveInteger(env.TEMPLATE_DRIFT_INSTALLATION_CONCURRENCY, Math.max(1, concurrency - 1))),
    gitStallSeconds: positiveInteger(env.TEMPLATE_DRIFT_GIT_STALL_S, DEFAULT_GIT_STALL_S),
    reconcileHours: reconcileHours(env.TEMPLATE_DRIFT_RECONCILE_HOURS),
    jobTimeoutSeconds: positiveInteger(env.TEMPLATE_DRIFT_JOB_TIMEOUT_S, DEFAULT_JOB_TIMEOUT_S),
    jobRetries: {
      attempts: positiveInteger(env.TEMPLATE_DRIFT_JOB_ATTEMPTS, 5),
      retryDelaySeconds: positiveNumber(env.TEMPLATE_DRIFT_RETRY_DELAY_S, 30),
      lockSeconds: positiveNumber(env.TEMPLATE_DRIFT_JOB_LOCK_S, 30),
    },
    shutdownGraceSeconds: count(env.TEMPLATE_DRIFT_SHUTDOWN_GRACE_S, DEFAULT_SHUTDOWN_GRACE_S),
    committer: {
      name: env.TEMPLATE_DRIFT_COMMITTER_NAME || 'template-drift[bot]',
      email: env.TEMPLATE_DRIFT_COMMITTER_EMAIL || 'template-drift[bot]@users.noreply.github.com',
    },
    renderLimits: renderLimits(env[MAX_RENDER_MB_SETTING], env[MAX_RENDER_S_SETTING]),
    templateSources,
    gitProtocols: gitProtocols(templateSources),
    // Below GitHub's 80 a minute and 500 an hour, which also count the web UI and other tools; 0 turns a limit off.
    writeLimits: writeLimits(count(env.TEMPLATE_DRIFT_WRITES_PER_MINUTE, 60), count(env.TEMPLATE_DRIFT_WRITES_PER_HOUR, 450)),
    ...(env.REDIS_URL && { redisUrl: env.REDIS_URL }),
    ...(env.APP_ID && { appId: env.APP_ID }),
    fleet: readFleetSettings(env),
    trustHooks: env[TRUST_HOOKS_SETTING] === 'true',
    hookTimeoutSeconds: hookTimeoutSeconds(env[HOOK_TIMEOUT_SETTING]),
  };
}

function readFleetSettings(env: NodeJS.ProcessEnv): FleetSettings {
  const interval = Number(env.TEMPLATE_DRIFT_DASHBOARD_INTERVAL_S ?? '60');
  // Never above GitHub's own limit: a larger value would only make GitHub refuse the body.
  const maxChars = Math.min(positiveInteger(env.TEMPLATE_DRIFT_DASHBOARD_MAX_CHARS, GITHUB_BODY_LIMIT), GITHUB_BODY_LIMIT);
  return {
    ...(env.TEMPLATE_DRIFT_DASHBOARD_TOKEN && { pageToken: env.TEMPLATE_DRIFT_DASHBOARD_TOKEN }),
    dashboardIssues: env.TEMPLATE_DRIFT_DASHBOARD_ISSUE !== 'false',
    dashboardIntervalSeconds: Number.isFinite(interval) && interval >= 0 ? interval : 60,
    ...(env.TEMPLATE_DRIFT_PUBLIC_URL && { publicUrl: env.TEMPLATE_DRIFT_PUBLIC_URL.replace(/\/+$/, '') }),
    ...(maxChars < GITHUB_BODY_LIMIT && { dashboardMaxChars: maxChars }),
  };
}

/** A whole number of at least 0 (0: no limit), or the fallback. */
function count(text: string | undefined, fallback: number): number {
  const value = Number(text === undefined || text === '' ? String(fallback) : text);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

export const DEFAULT_RECONCILE_HOURS = 6;

/** Hours, fractions allowed (a test sets a few seconds); 0 turns the reconcile off; anything else unreadable is the default. */
function reconcileHours(text: string | undefined): number {
  const value = Number(text ?? String(DEFAULT_RECONCILE_HOURS));
  return Number.isFinite(value) && value >= 0 && text?.trim() !== '' ? value : DEFAULT_RECONCILE_HOURS;
}

/** Seconds, fractions allowed (tests set them low); anything else is the fallback. */
function positiveNumber(text: string | undefined, fallback: number): number {
  const value = Number(text ?? String(fallback));
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function positiveInteger(text: string | undefined, fallback: number): number {
  const value = Number(text ?? String(fallback));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
