import { describe, expect, it } from 'vitest';
import { OWNER } from '../support/e2e/fleet.js';
import { useWorld } from '../support/e2e/use-world.js';
import { TEMPLATE_V1, TEMPLATE_V1_1 } from '../support/e2e/service-template.js';

// The app runs with its defaults: 4 slots, at most 3 for one installation, a 60 s stall limit.
const world = useWorld();

const OTHER = 'beta';
const ISSUE_TITLE = 'Template drift: action required';
const A_SERVICES = ['stuck-1', 'stuck-2', 'stuck-3', 'stuck-4'];

/** Polls `probe` until it gives a value (the app is its own process: there is nothing to await). */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('bounded work, end to end', () => {
  it('a template host that hangs holds installation A\'s four repositories, and installation B\'s release still gets its PR', async () => {
    const w = world();
    const { github } = w;
    github.install(OTHER, { id: 5151 });
    await w.publishTemplate('tpl-stuck', TEMPLATE_V1);
    await github.commit(OWNER, 'tpl-stuck', 'main', TEMPLATE_V1_1);
    await github.tag(OWNER, 'tpl-stuck', 'v1.1.0');
    for (const name of A_SERVICES) await w.createService(name, 'tpl-stuck', { ref: 'v1.0.0', vars: { service_name: name.replace('-', '') } });
    await w.publishTemplate('tpl-b', TEMPLATE_V1, 'v1.0.0', OTHER);
    await w.createService('b-svc', 'tpl-b', { ref: 'v1.0.0', vars: { service_name: 'bsvc' }, owner: OTHER });

    // From here the template's git endpoint accepts every connection and never answers; its API still works.
    github.stallGit(OWNER, 'tpl-stuck');
    const asked = new Map<string, number>();
    for (const name of A_SERVICES) {
      const issue = github.openIssue(OWNER, name, { title: 'Bring this up to date' });
      asked.set(name, issue);
      github.setPermission(OWNER, name, 'maintainer', 'write');
      await github.comment(OWNER, name, issue, 'maintainer', '/sync-template');
    }
    // Installation A's share of the slots is held by updates waiting on the hung host.
    await until('three of A\'s updates stuck on the template host', () => (github.stalledGitRequests(OWNER, 'tpl-stuck') >= 3 ? true : undefined));

    await w.releaseTemplate('tpl-b', 'v1.1.0', TEMPLATE_V1_1, 'B\'s release', OTHER);
    const [pull, ...more] = await until('B\'s update PR', async () => {
      const pulls = await github.pulls(OTHER, 'b-svc');
      return pulls.length > 0 ? pulls : undefined;
    });
    expect(more).toEqual([]);
    expect(pull).toMatchObject({ state: 'open', title: 'Update tpl-b to v1.1.0' });
    // ...while A's updates were all still waiting on the host (the stall limit is a minute).
    expect(github.stalledGitRequests(OWNER, 'tpl-stuck')).toBeGreaterThanOrEqual(3);
    expect(A_SERVICES.flatMap((name) => github.issues(OWNER, name).filter((issue) => issue.title === ISSUE_TITLE))).toEqual([]);

    // The host drops the connections it held: those updates fail in plain words, the rest go on.
    // A host that failed may answer later: the people who asked are told, and no "action required" issue is filed.
    github.resumeGit(OWNER, 'tpl-stuck');
    await w.settle();
    const answers = A_SERVICES.map((name) => github.comments(OWNER, name, asked.get(name)).filter((comment) => comment.user === github.botLogin).at(-1)?.body ?? '');
    const failed = answers.filter((answer) => answer.includes('the template update failed'));
    expect(failed.length).toBeGreaterThanOrEqual(3);
    for (const answer of failed) expect(answer).toContain(`Cannot read template ${github.cloneUrl(OWNER, 'tpl-stuck')}`);
    expect(A_SERVICES.flatMap((name) => github.issues(OWNER, name).filter((issue) => issue.title === ISSUE_TITLE))).toEqual([]);
  }, 120_000); // five services made with the CLI before the minute B's PR has to arrive in
});
