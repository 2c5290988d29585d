import type { TestRepo, Tree } from '../support/temp-repo.js';
import { git } from '../support/temp-repo.js';
import { SuiteRepo } from '../git/suite-repo.js';

/**
 * A template whose v2.0.0 turns a file into a folder (`x` → `x/y`) and a folder into a file
 * (`d/inner.txt` → `d`), renames `Readme.md` to `README.md`, and adds files a repository may
 * already have as ignored local files (`.env`, `config/local.env`). Side releases, each one
 * commit on v1.0.0, hold what an update must refuse before writing anything.
 */
const MANIFEST = 'name: safe-template\nvariables:\n  service: { default: svc }\nfiles:\n  enforce: [enforced.txt]\n';

export const V1: Tree = {
  'template.yml': MANIFEST,
  'x': 'x was a file\n',
  'd/inner.txt': 'inner\n',
  'Readme.md': '# readme\n',
  'keep.txt': 'keep v1\n',
  'mode.cfg': 'mode v1\n',
  'enforced.txt': 'enforced v1\n',
};

export const V2: Tree = {
  'x': null,
  'x/y': 'y beneath x\n',
  'd/inner.txt': null,
  'd': 'd is a file now\n',
  'Readme.md': null,
  'README.md': '# readme\n',
  'keep.txt': 'keep v2\n',
  'mode.cfg': 'mode v2\n',
  'enforced.txt': 'enforced v2\n',
  '.env': 'FROM_TEMPLATE=1\n',
  'config/local.env': 'FROM_TEMPLATE=2\n',
  'other/z.txt': 'z\n',
};

/** Releases that must be refused whole, tagged by what is wrong with them. */
export const REFUSED: Record<string, Tree> = {
  // The issue's chain: every link's text stays inside, but s1 is the repository's parent.
  'chain': {
    'template.yml': `${MANIFEST.replace('variables:\n', 'variables:\n  d: { default: s1 }\n')}`,
    'a/b/up': { symlink: '../..' },
    's1': { symlink: 'a/b/up/..' },
    '{{d}}/file': 'escaped\n',
  },
  'file-and-folder': {
    'template.yml': `${MANIFEST.replace('variables:\n', 'variables:\n  n: { default: foo }\n')}`,
    '{{n}}': 'foo as a file\n',
    'foo/bar.txt': 'foo as a folder\n',
  },
  'newline-path': {
    'template.yml': `${MANIFEST.replace('variables:\n', 'variables:\n  p: { default: "two\\nlines" }\n')}`,
    '{{p}}/file.txt': 'x\n',
  },
  'long-name': {
    'template.yml': `${MANIFEST.replace('variables:\n', `variables:\n  long: { default: ${'n'.repeat(300)} }\n`)}`,
    'keep.txt': 'keep changed first\n',
    'dir/{{long}}.txt': 'too long a name\n',
  },
};

export interface SafeTemplate {
  readonly repo: TestRepo;
}

export async function createSafeTemplate(): Promise<SafeTemplate> {
  const repo = await SuiteRepo.create('td-safe-template-');
  await repo.release('v1.0.0', V1);
  for (const [tag, tree] of Object.entries(REFUSED)) {
    await git(repo.dir, 'checkout', '--quiet', '--detach', 'v1.0.0');
    await repo.commit(tree, tag);
    await git(repo.dir, 'tag', tag);
  }
  // A release whose last write is a big file: under a file size limit the update fails there,
  // after it has already deleted, changed and added other files.
  await git(repo.dir, 'checkout', '--quiet', '--detach', 'v1.0.0');
  await repo.commit({ 'keep.txt': 'keep big\n', 'Readme.md': null, 'added.txt': 'added\n', 'zz-big.bin': Buffer.alloc(256 * 1024, 7) }, 'big');
  await git(repo.dir, 'tag', 'big');
  await git(repo.dir, 'checkout', '--quiet', 'main');
  await repo.release('v2.0.0', V2);
  return { repo };
}
