import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANSWERS_FILE, parseAnswers } from '../src/engine/answers-file.js';
import { renderSnapshot } from '../src/engine/render-snapshot.js';
import { locateTemplate } from '../src/git/template-location.js';
import { ServiceClone } from '../src/git/service-clone.js';
import { TemplateStore } from '../src/git/template-store.js';
import { git, tempDir, type Service } from './fixtures.js';
import { measure, type Figures } from './measure.js';

export const APP_CLONE = 'clone: shallow, blobless (app)';
export const APP_READ = 'read managed paths, blob ids first (app)';

/**
 * What the app pays to read "ours" from a service repository on a server: a shallow blobless
 * clone of the default branch, then the template's paths, downloading only the blobs whose ids
 * differ from the rendered template (the repository's local edits).
 */
export async function appReadFigures(service: Service, template: string, runs: number): Promise<Map<string, Figures>> {
  const bare = join(await tempDir('app-bare'), 'svc.git');
  await git(service.cwd, 'clone', '--quiet', '--bare', '--', service.dir, bare);
  await git(bare, 'config', 'uploadpack.allowFilter', 'true');
  await git(bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');

  const answers = parseAnswers(await readFile(join(service.dir, ANSWERS_FILE), 'utf8'));
  const repository = await new TemplateStore({ cacheDir: service.cacheDir }).open(locateTemplate(template, { baseDir: service.cwd }));
  const rendered = await Promise.all(['v1.0.0', 'v1.1.0'].map(async (ref) =>
    renderSnapshot({ files: await repository.read((await repository.resolve(ref)).commit), ref, answers: answers.variables, repo: { owner: '', name: 'svc' } }).output));
  const paths = [...new Set(rendered.flatMap((output) => [...output.keys()]))];

  const options = { cloneUrl: `file://${bare}`, branch: 'main', committer: { name: 'bench', email: 'bench@example.com' } };
  const clones: ServiceClone[] = [];
  const clone = await measure(runs, async () => clones.push(await ServiceClone.open(options)));
  let next = 0;
  const read = await measure(runs, () => clones[next++]!.readFiles(paths, rendered));
  await Promise.all(clones.map((c) => c.dispose()));
  return new Map([[APP_CLONE, clone], [APP_READ, read]]);
}
