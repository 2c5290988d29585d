import { ONBOARDING_BRANCH, UPDATE_BRANCH } from '../engine/pull-request-text.js';
import type { RepoId } from '../github/platform.js';
import { JobDeadlineError } from '../queue/job-errors.js';
import { carriedReads, type Job } from '../queue/job.js';
import type { JobRunner } from '../queue/job-queue.js';
import { RetryableJobError } from '../queue/retryable.js';
import { deleteMergedBranch } from '../workflows/close-update-pull.js';
import { fanOutRelease } from '../workflows/fan-out-release.js';
import { guardEnforcedFiles } from '../workflows/guard-enforced-files.js';
import { handleCommand } from '../workflows/handle-command.js';
import { onboardRepository } from '../workflows/onboard-repository.js';
import { refreshAfterPush } from '../workflows/refresh-after-push.js';
import { secondWaveDue } from '../workflows/release-waves.js';
import { handleDashboardTicks } from '../workflows/dashboard-ticks.js';
import { reconcileInstallation } from '../workflows/reconcile-installation.js';
import { updateRepository, type UpdateDependencies, type UpdateOutcome, type UpdateRequest } from '../workflows/update-repository.js';
import { openAppTemplate } from '../workflows/open-template.js';
import { releaseTemplates, type ReleaseTemplates } from '../workflows/release-templates.js';
import type { AppRuntime } from './runtime.js';

/**
 * The worker: a map from a job's kind to its workflow. It needs nothing from the process that
 * queued the job: GitHub is reached with a client made here from the installation id, and every
 * repository token is minted here, when the job starts and again if it expires mid-job.
 */
export function jobRunner(runtime: AppRuntime): JobRunner {
  // A fan-out opens its template once; the updates it queued, run here, take what it learnt.
  const templates = new Map<number, ReleaseTemplates>();
  const templatesOf = (installationId: number): ReleaseTemplates => {
    let known = templates.get(installationId);
    if (!known) templates.set(installationId, (known = releaseTemplates()));
    return known;
  };
  return async (job, signal) => {
    const platform = await runtime.platformFor(job.installationId, signal);
    const log = runtime.log;
    const deps = { ...runtime.updateDependencies(job.installationId, platform, signal, log), releaseTemplates: templatesOf(job.installationId) };
    switch (job.kind) {
      case 'update': {
        const request: UpdateRequest = {
          repo: job.repo, ...(job.targetRef !== undefined && { targetRef: job.targetRef }), explicit: job.explicit, reason: updateReason(job),
          ...(job.fannedOut && { fannedOut: job.fannedOut }),
        };
        const outcome = await recordedUpdate(runtime, job.installationId, request, deps);
        retryWhenRemoteFailed(outcome);
        if (outcome.kind === 'not-configured' && job.onboardIfNew) await onboardRepository({ repo: job.repo }, deps);
        return;
      }
      case 'onboard':
        await onboardRepository({ repo: job.repo }, deps);
        return;
      case 'fan-out-release': {
        // A scan of the installation running meanwhile (the start-up reconcile's) shares its answers reads.
        await runtime.sharedAnswers.reading(job.installationId, platform, (readAnswers) => fanOutRelease({ template: job.repo, tag: job.targetRef, prerelease: job.prerelease, ...(job.wave && { wave: job.wave }) }, {
          platform, fetching: deps.fetching, log, git: runtime.gitBounds(signal), releaseTemplates: deps.releaseTemplates, readAnswers,
          // A fan-out stopped (its deadline, or its installation gone) queues nothing more.
          // What it read for each repository goes along (a job record: never a token).
          updateLater: async (repo, tag, reads) => {
            const fannedOut = carriedReads(reads);
            if (signal.aborted) return;
            await runtime.queue.enqueue({
              kind: 'update', installationId: job.installationId, repo, targetRef: tag, reason: 'release', explicit: false,
              template: `${job.repo.owner}/${job.repo.repo}`,
              ...(fannedOut && { fannedOut }),
            });
          },
          // The second wave is a job like the first, delayed by the rollout's wait; a merged last canary may queue it sooner.
          holdRest: (rollout) => runtime.queue.enqueue({ ...job, wave: 'rest' }, { delayMs: rollout.waitMs }),
          // The fleet inventory follows the release from the fan-out's reads; failing that, a scan.
          sighted: (sighting) => runtime.fleet.afterRelease(job.installationId, sighting).catch((error: unknown) => {
            log.warn({ err: error }, 'could not record the release in the fleet');
            runtime.fleet.changed(job.installationId);
          }),
        }));
        return;
      }
      case 'canary-merged': {
        const release = await secondWaveDue(platform, job.repo, { template: job.template, from: null, to: job.targetRef, wave: 'canary' }, deps.fetching.sources, log);
        if (release) {
          await runtime.queue.enqueue({
            kind: 'fan-out-release', installationId: job.installationId, repo: release.template, targetRef: release.tag, prerelease: release.prerelease,
            reason: 'release', explicit: false, wave: 'rest',
          });
        }
        return;
      }
      case 'sync-template':
        await handleCommand(
          { repo: job.repo, issueNumber: job.comment.issueNumber, commentId: job.comment.commentId, author: job.requestedBy, ref: job.targetRef },
          {
            platform, updateNow: (repo, ref) => updateWithDeadline(runtime, job, repo, ref, signal),
            // Only a pull request can be the onboarding PR: a command on an issue costs no look.
            ...(job.comment.onPullRequest && { onboardNow: (repo: RepoId, number: number) => onboardRepository({ repo, resync: number }, deps) }),
          },
        );
        return;
      case 'refresh-after-push': {
        const outcome = await refreshAfterPush(job.repo, job.answersChanged, deps);
        if (!outcome) return;
        recordInFleet(runtime, job.installationId, job.repo, outcome);
        retryWhenRemoteFailed(outcome);
        return;
      }
      case 'delete-update-branch':
        await deleteMergedBranch(platform, job.repo, job.pull, job.pull.onboarding ? ONBOARDING_BRANCH : UPDATE_BRANCH);
        return;
      case 'check-pull-request':
        await guardEnforcedFiles({ repo: job.repo, ...job.pull, headRepo: job.pull.headRepo }, {
          platform, fetching: deps.fetching, log, git: runtime.gitBounds(signal), render: runtime.render,
        });
        return;
      case 'update-closed':
        await runtime.fleet.afterClose(job.installationId, job.repo, { merged: job.pull.merged, url: job.pull.url, to: job.targetRef });
        return;
      case 'dashboard-ticks': {
        const queued = await handleDashboardTicks({ repo: job.repo, issueNumber: job.issueNumber, sender: job.requestedBy, ticks: job.ticks }, {
          platform,
          entries: await runtime.fleet.entries(job.installationId),
          rerun: (repo, explicit) => runtime.queue.enqueue({
            kind: 'update', installationId: job.installationId, repo, explicit, reason: 'command', requestedBy: job.requestedBy,
          }),
          refresh: () => runtime.fleet.refreshSoon(job.installationId),
        });
        log.info({ template: `${job.repo.owner}/${job.repo.repo}`, repositories: queued.length }, 'dashboard boxes ticked: updates queued');
        return;
      }
      case 'refresh-dashboard':
        await runtime.fleet.refreshNow(job.installationId, job.rescan);
        return;
      case 'reconcile-installation':
        // The reconcile's scan is the fleet's inventory too: one scan of the installation, not two.
        await runtime.sharedAnswers.reading(job.installationId, platform, (readAnswers) => runtime.fleet.scanWith(job.installationId, (scanned) => reconcileInstallation({
          platform, log, render: runtime.render, scanned, readAnswers,
          openTemplate: async (source) => {
            const template = await openAppTemplate(platform, source, deps.fetching, deps.git);
            return { name: template.repoId ? `${template.repoId.owner}/${template.repoId.repo}` : template.repository.location.display, repository: template.repository };
          },
          // A reconcile stopped (its deadline, or its installation gone) queues nothing more.
          updateLater: async (repo, target, template) => {
            if (signal.aborted) return;
            await runtime.queue.enqueue({
              kind: 'update', installationId: job.installationId, repo, targetRef: target, explicit: false, reason: 'reconcile',
              ...(TEMPLATE_NAME.test(template) && { template }),
            });
          },
        })));
        return;
    }
  };
}

/** A template named `owner/repo` on the GitHub the app serves (one elsewhere has no such name). */
const TEMPLATE_NAME = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;

/** An update, whose outcome the fleet inventory hears of. */
async function recordedUpdate(runtime: AppRuntime, installationId: number, request: UpdateRequest, deps: UpdateDependencies): Promise<UpdateOutcome> {
  const outcome = await updateRepository(request, deps);
  recordInFleet(runtime, installationId, request.repo, outcome);
  return outcome;
}

function recordInFleet(runtime: AppRuntime, installationId: number, repo: RepoId, outcome: UpdateOutcome): void {
  void runtime.fleet.afterUpdate(installationId, repo, outcome).catch((error: unknown) => runtime.log.warn({ err: error }, 'could not record the update in the fleet'));
}

function updateReason(job: Job): UpdateRequest['reason'] {
  if (job.reason === 'merge' || job.reason === 'pull-request') return 'push';
  if (job.reason === 'created') return 'installation';
  return job.reason === 'fleet' ? 'reconcile' : job.reason;
}

/** A git remote that failed may answer later: the queue tries again (where it can). */
function retryWhenRemoteFailed(outcome: UpdateOutcome): void {
  if (outcome.kind === 'failed' && outcome.retryable) throw new RetryableJobError(outcome.message);
}

/**
 * A command's update, stopped at the job deadline with its own signal, so that the command's
 * job (which has a little longer) can still tell the person what happened.
 */
async function updateWithDeadline(
  runtime: AppRuntime, job: Job, repo: RepoId, ref: string | undefined, jobSignal: AbortSignal,
): Promise<UpdateOutcome> {
  const seconds = runtime.jobTimeoutSeconds;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new JobDeadlineError(seconds)), seconds * 1000);
  const signal = AbortSignal.any([jobSignal, stop.signal]);
  const updatePlatform = await runtime.platformFor(job.installationId, signal);
  try {
    return await recordedUpdate(
      runtime, job.installationId,
      { repo, ...(ref !== undefined && { targetRef: ref }), explicit: true, reason: 'command' },
      runtime.updateDependencies(job.installationId, updatePlatform, signal, runtime.log),
    );
  } catch (error) {
    // The command's job itself was stopped (cancelled, handed back): the queue answers for it.
    if (jobSignal.aborted) throw error;
    runtime.fleet.changed(job.installationId);
    if (stop.signal.aborted) {
      runtime.reportFailure(stop.signal.reason, job);
      return {
        kind: 'failed',
        message: `The update took longer than the ${seconds} s one update may take (TEMPLATE_DRIFT_JOB_TIMEOUT_S) and was stopped; `
          + 'the next release, push or `/sync-template` tries again.',
      };
    }
    runtime.reportFailure(error, job);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
