import type { AnswersText } from './answers-on-github.js';
import { judgeTemplateSource, type SourcePolicy } from '../engine/template-source-policy.js';
import type { RepoId } from '../github/platform.js';

/** A repository as GitHub described it to the fan-out: enough to clone it, or to read it as a template. */
export interface CarriedRepository extends RepoId {
  readonly cloneUrl: string;
  readonly htmlUrl: string;
}

/**
 * What a release's fan-out already read for one repository's update (it travels in the job, so
 * it holds no token): the answers file with its blob id, the repository's clone URL and default
 * branch, and the template repository. The update skips those API reads; the answers text stands
 * in only while the blob at the head the update clones is the same one.
 */
export interface FannedOutReads {
  readonly answers?: AnswersText & { readonly blob: string };
  readonly repository: { readonly cloneUrl: string; readonly defaultBranch: string };
  readonly template: CarriedRepository;
}

/**
 * Whether a URL a job carried names `repo` on the GitHub the app serves. A token is sent only to
 * such a URL, so a job record cannot point one anywhere else; a URL that fails is asked of GitHub again.
 */
export function namesOnServedGitHub(url: string, repo: RepoId, policy: SourcePolicy): boolean {
  const decision = judgeTemplateSource(url, policy);
  return decision.allowed && decision.kind === 'github'
    && decision.owner.toLowerCase() === repo.owner.toLowerCase() && decision.repo.toLowerCase() === repo.repo.toLowerCase();
}
