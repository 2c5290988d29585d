import type { Platform, RepoId } from '../github/platform.js';
import { answersOnGitHub, type AnswersReader, type AnswersText } from '../workflows/answers-on-github.js';

interface Read {
  readonly at: number;
  readonly text: Promise<AnswersText | undefined>;
}

/**
 * Answers files read by the readers of one installation that run at the same time in this
 * process (a release's fan-out, a scan: a release as the app starts, with its start-up
 * reconcile), each file read once for all of them. A reader takes only what was read since it
 * began, so nothing it gets is older than itself, and when the last reader of the installation
 * ends, everything read is forgotten. (An update checks a carried answers file against its
 * clone anyway.)
 */
export class SharedAnswers {
  private readonly installations = new Map<number, { readers: number; reads: Map<string, Read> }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `read` as one reader of the installation's answers files, through `platform` when none was read since it began. */
  async reading<T>(installation: number, platform: Platform, run: (read: AnswersReader) => Promise<T>): Promise<T> {
    const shared = this.installations.get(installation) ?? { readers: 0, reads: new Map<string, Read>() };
    this.installations.set(installation, shared);
    shared.readers += 1;
    const began = this.now();
    try {
      return await run((repo: RepoId) => {
        const key = `${repo.owner}/${repo.repo}`.toLowerCase();
        const known = shared.reads.get(key);
        // Another reader's failure (its job stopped, say) is not this one's: it reads for itself.
        if (known && known.at >= began) return known.text.catch(() => answersOnGitHub(platform, repo));
        const text = answersOnGitHub(platform, repo);
        shared.reads.set(key, { at: this.now(), text });
        return text;
      });
    } finally {
      shared.readers -= 1;
      if (shared.readers === 0) this.installations.delete(installation);
    }
  }
}
