import { BareRepo } from './bare-repo.js';
import type { ShapeContext } from './shapes/issues.js';
import type { Urls } from './shapes/urls.js';
import { State } from './state.js';
import type { RepoRecord } from './types.js';
import type { WebhookSender } from './webhooks.js';

export interface AppInfo {
  readonly id: number;
  readonly slug: string;
}

/** What routes, git serving and events share: the state, where things live, and the webhook sender. */
export class Hub implements ShapeContext {
  readonly state = new State();
  /** Where the bare repositories live (set when the server starts). */
  root = '';

  constructor(
    readonly urls: Urls,
    readonly app: AppInfo,
    readonly webhooks: WebhookSender,
    /** Whether GitHub's own deliveries (after a git push, a merge, a close) are sent. */
    readonly autoWebhooks: boolean,
  ) {}

  /** The app's bot account: the author of everything done with an installation token. */
  get botLogin(): string {
    return `${this.app.slug}[bot]`;
  }

  git(repo: RepoRecord): BareRepo {
    return new BareRepo(repo.dir);
  }
}
