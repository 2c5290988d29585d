import type { ApplicationFunctionOptions, Probot } from 'probot';
import { onCommentCreated } from './handlers/comment-created.js';
import { onInstallation } from './handlers/installation.js';
import { onInstallationGone, onRepositoriesRemoved } from './handlers/installation-removed.js';
import { onPullRequestClosed } from './handlers/pull-request-closed.js';
import { onPullRequestChanged } from './handlers/pull-request-opened.js';
import { onIssueEdited } from './handlers/issue-edited.js';
import { onPush } from './handlers/push.js';
import { onReleasePublished } from './handlers/release-published.js';
import { onRepositoryCreated } from './handlers/repository-created.js';
import { fleetHandler } from './fleet-handler.js';
import { ReconcileSchedule } from './reconcile-schedule.js';
import { jobRunner } from './job-runner.js';
import { AppRuntime } from './runtime.js';
import { stripToken } from './strip-token.js';
import { statusHandler } from './status-handler.js';
import { readSettings, type AppSettings } from './settings.js';

/**
 * The Probot app: wiring only. Each handler checks its event and queues a workflow, so GitHub
 * gets its answer within the 10 seconds it gives a webhook.
 */
export default function templateDrift(app: Probot, options?: ApplicationFunctionOptions): void {
  webApp(app, options);
}

/** The app with its web routes (status, fleet page) and the reconcile; returns the runtime (for shutdown). */
export function webApp(app: Probot, options?: ApplicationFunctionOptions): AppRuntime {
  const runtime = createApp(app);
  const hours = runtime.settings.reconcileHours ?? 0;
  const reconcile = hours > 0 ? new ReconcileSchedule(app, runtime, hours * 3_600_000) : undefined;
  options?.addHandler(statusHandler(runtime.queue, () => ({ reconciling: reconcile?.busy ?? false, pending: runtime.fleet.pending() })));
  options?.addHandler(fleetHandler(runtime.settings.fleet?.pageToken, () => runtime.fleet.allEntries()));
  // Last before Probot's 404: a token sent to any other path leaves the URL before the request is logged.
  options?.addHandler((request) => {
    request.url = stripToken(request.url ?? '/');
    return false;
  });
  reconcile?.start();
  return runtime;
}

/** Registers the handlers, starts this process's workers, and returns the runtime, so tests can wait for queued work. */
export function createApp(app: Probot, settings: AppSettings = readSettings()): AppRuntime {
  const runtime = new AppRuntime(app, settings);
  runtime.queue.work(jobRunner(runtime));
  app.on('release.published', onReleasePublished(runtime));
  app.on('issue_comment.created', onCommentCreated(runtime));
  app.on('pull_request.closed', onPullRequestClosed(runtime));
  app.on(['pull_request.opened', 'pull_request.synchronize'], onPullRequestChanged(runtime));
  app.on('push', onPush(runtime));
  app.on(['installation.created', 'installation_repositories.added'], onInstallation(runtime));
  app.on(['installation.deleted', 'installation.suspend'], onInstallationGone(runtime));
  app.on('installation_repositories.removed', onRepositoriesRemoved(runtime));
  app.on('repository.created', onRepositoryCreated(runtime));
  app.on('issues.edited', onIssueEdited(runtime));
  return runtime;
}
