import { ApiError, notFound, paginate } from '../http.js';
import { timestamp, type CheckAnnotationRecord, type CheckRunRecord, type RepoRecord } from '../types.js';
import { nodeId } from '../shapes/urls.js';
import { bodyOf, created, ok, repoOf, text, type Route, type RouteContext } from './context.js';

/** Check runs need the installation's `checks: write`, as on GitHub (403 "Resource not accessible by integration"). */
function checksRepo(context: RouteContext): RepoRecord {
  const repo = repoOf(context, 'write');
  if (context.caller.kind !== 'installation' || context.caller.token.permissions.checks !== 'write') {
    throw new ApiError(403, 'Resource not accessible by integration');
  }
  return repo;
}

/** POST check-runs: a run on a commit that exists; `completed` with a conclusion, or later. */
const createCheckRun: Route = async (context) => {
  const repo = checksRepo(context);
  const body = bodyOf(context);
  const headSha = text(body.head_sha);
  if (!(await context.hub.git(repo).resolveCommit(headSha))) throw new ApiError(422, 'No commit found for SHA: ' + headSha);
  const status = typeof body.conclusion === 'string' ? 'completed' : text(body.status) || 'queued';
  if (status === 'completed' && typeof body.conclusion !== 'string') throw new ApiError(422, 'Validation Failed', { errors: ['conclusion is required when status is completed'] });
  const now = timestamp();
  const run: CheckRunRecord = {
    id: context.hub.state.nextId(), name: text(body.name), headSha, status, conclusion: typeof body.conclusion === 'string' ? body.conclusion : null,
    startedAt: now, completedAt: status === 'completed' ? now : null, title: null, summary: null, annotations: [],
  };
  applyOutput(run, body.output);
  repo.checkRuns.push(run);
  return created(checkRunShape(context, repo, run));
};

/** PATCH check-runs/{id}: output replaced, annotations appended (as GitHub does). */
const updateCheckRun: Route = (context) => {
  const repo = checksRepo(context);
  const run = repo.checkRuns.find((candidate) => candidate.id === Number(context.params.check_run_id));
  if (!run) throw notFound();
  const body = bodyOf(context);
  if (typeof body.conclusion === 'string') Object.assign(run, { conclusion: body.conclusion, status: 'completed', completedAt: timestamp() });
  applyOutput(run, body.output);
  return ok(checkRunShape(context, repo, run));
};

/** GET commits/{ref}/check-runs: by `check_name`; `filter=latest` (the default) keeps the newest run of each name. */
const listForRef: Route = async (context) => {
  const repo = repoOf(context);
  const sha = await context.hub.git(repo).resolveCommit(context.params.ref ?? '');
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${context.params.ref ?? ''}`);
  let runs = repo.checkRuns.filter((run) => run.headSha === sha && (context.query.check_name === undefined || run.name === context.query.check_name)).reverse();
  if (context.query.filter !== 'all') runs = runs.filter((run, index) => runs.findIndex((other) => other.name === run.name) === index);
  const { page, headers } = paginate(runs, context.query, context.url);
  return ok({ total_count: runs.length, check_runs: page.map((run) => checkRunShape(context, repo, run)) }, headers);
};

function applyOutput(run: CheckRunRecord, output: unknown): void {
  if (!output || typeof output !== 'object') return;
  const { title, summary, annotations } = output as { title?: string; summary?: string; annotations?: Record<string, unknown>[] };
  if (title !== undefined) run.title = title;
  if (summary !== undefined) run.summary = summary;
  for (const annotation of annotations ?? []) {
    const record: CheckAnnotationRecord = {
      path: text(annotation.path), startLine: Number(annotation.start_line), endLine: Number(annotation.end_line), level: text(annotation.annotation_level),
      title: typeof annotation.title === 'string' ? annotation.title : null, message: text(annotation.message),
    };
    run.annotations.push(record);
  }
}

function checkRunShape({ hub }: RouteContext, repo: RepoRecord, run: CheckRunRecord): Record<string, unknown> {
  const api = hub.urls.repoApi(repo.owner, repo.name);
  return {
    id: run.id, node_id: nodeId('CheckRun', run.id), head_sha: run.headSha, name: run.name, url: `${api}/check-runs/${run.id}`,
    html_url: `${hub.urls.repoHtml(repo.owner, repo.name)}/runs/${run.id}`, details_url: null, status: run.status, conclusion: run.conclusion,
    started_at: run.startedAt, completed_at: run.completedAt, external_id: null, check_suite: { id: run.id },
    output: { title: run.title, summary: run.summary, text: null, annotations_count: run.annotations.length, annotations_url: `${api}/check-runs/${run.id}/annotations` },
    app: null, pull_requests: [],
  };
}

export const checkRoutes: Record<string, Route> = {
  'checks/create': createCheckRun,
  'checks/update': updateCheckRun,
  'checks/list-for-ref': listForRef,
};
