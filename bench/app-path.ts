import { execFileSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { OWNER, World } from '../test/support/e2e/fleet.js';
import { tempDir } from './fixtures.js';
import { syntheticTemplate, SYNTHETIC_VARIABLES } from './synthetic-template.js';

/** What the app spends on one repository for a release: GitHub API requests and git processes. */
export interface AppPathCost {
  readonly repositories: number;
  readonly apiCalls: number;
  /** Smart-HTTP git requests to the local GitHub (clones, fetches, pushes). */
  readonly gitRequests: number;
  readonly gitProcesses: number;
  /** API requests by route, for all repositories together. */
  readonly routes: Readonly<Record<string, number>>;
}

const SERVICES = 3;

/**
 * The app as its own process against the local GitHub, with a `git` on PATH that counts every
 * git process it starts. One release is published twice over: to services already at it (in
 * line) and to services one release behind (an update PR each). Each figure is the release's
 * whole cost (fan-out included) divided by the number of services.
 */
export async function appPathCosts(files: number): Promise<{ inLine: AppPathCost; behind: AppPathCost }> {
  const log = join(await tempDir('app-git-log'), 'git.log');
  await writeFile(log, '');
  const world = await World.start({ env: { PATH: `${await gitShim()}${delimiter}${process.env.PATH ?? ''}`, TD_GIT_LOG: log } });
  try {
    const synthetic = syntheticTemplate(files);
    const measureRelease = async (template: string, ref: string): Promise<AppPathCost> => {
      await world.publishTemplate(template, synthetic.v1);
      // Changed and added files only: the local GitHub's commit helper does not delete in a bare repository.
      const changes = Object.fromEntries(Object.entries(synthetic.v2).filter(([, content]) => content !== null));
      await world.github.commit(OWNER, template, 'main', changes, { message: 'Release v1.1.0' });
      await world.github.tag(OWNER, template, 'v1.1.0');
      for (let n = 0; n < SERVICES; n++) await world.createService(`${template}-svc-${n}`, template, { ref, vars: { ...SYNTHETIC_VARIABLES } });
      await world.settle();
      const requestsBefore = world.github.requests().length;
      const processesBefore = (await readFile(log, 'utf8')).split('\n').length;
      await world.github.publishRelease(OWNER, template, 'v1.1.0', { body: 'notes' });
      await world.settle();
      const requests = world.github.requests().slice(requestsBefore);
      const api = requests.filter((request) => request.template !== undefined);
      const routes: Record<string, number> = {};
      for (const request of api) routes[`${request.method} ${request.template}`] = (routes[`${request.method} ${request.template}`] ?? 0) + 1;
      return {
        repositories: SERVICES,
        apiCalls: api.length / SERVICES,
        gitRequests: (requests.length - api.length) / SERVICES,
        gitProcesses: ((await readFile(log, 'utf8')).split('\n').length - processesBefore) / SERVICES,
        routes,
      };
    };
    const inLine = await measureRelease('inline-template', 'v1.1.0');
    const behind = await measureRelease('behind-template', 'v1.0.0');
    if ((await world.github.pulls(OWNER, 'behind-template-svc-0')).length !== 1) throw new Error('the app opened no update PR for a service behind');
    return { inLine, behind };
  } finally {
    await world.stop();
  }
}

/** A folder with a `git` that appends one line per process to $TD_GIT_LOG and runs the real git. */
export async function gitShim(): Promise<string> {
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const bin = await tempDir('git-shim');
  await writeFile(join(bin, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "$TD_GIT_LOG"\nexec ${real} "$@"\n`);
  await chmod(join(bin, 'git'), 0o755);
  return bin;
}

