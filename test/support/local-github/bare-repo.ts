import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_TREE, git, runGit } from './git.js';

/** A file to write: text or bytes, optionally executable, or a symbolic link. */
export type FileContent = string | Buffer | { readonly content: string | Buffer; readonly executable?: boolean } | { readonly symlink: string };
/** path → new content, or null to delete the path. */
export type FileChanges = Readonly<Record<string, FileContent | null>>;

export interface Person {
  readonly name: string;
  readonly email: string;
  /** Also the GitHub login shown in webhooks, when known. */
  readonly login?: string;
}

export interface CommitInfo {
  readonly sha: string;
  readonly tree: string;
  readonly parents: string[];
  readonly author: Person & { readonly date: string };
  readonly committer: Person & { readonly date: string };
  readonly message: string;
}

export interface DiffEntry {
  readonly status: 'added' | 'removed' | 'modified';
  readonly path: string;
  /** The blob after the change (before it, for a removal). */
  readonly sha: string;
  readonly additions: number;
  readonly deletions: number;
}

export type PathContent =
  | { readonly type: 'file'; readonly sha: string; readonly mode: string; readonly content: Buffer }
  | { readonly type: 'dir'; readonly sha: string; readonly entries: { name: string; path: string; type: 'file' | 'dir' | 'submodule'; sha: string; size: number }[] };

/**
 * One bare repository on disk and the git plumbing the fake needs on it. Commits are built in a
 * private index (no working tree), the way GitHub's own backend writes them.
 */
export class BareRepo {
  constructor(readonly dir: string) {}

  /** An empty bare repository, or a bare copy of `from` (its branches and tags) when given. */
  static async init(dir: string, defaultBranch: string, from?: string): Promise<BareRepo> {
    await mkdir(dir, { recursive: true });
    if (from) {
      await git(dir, ['clone', '--bare', '--quiet', '--no-local', '--', from, '.']);
      await git(dir, ['remote', 'remove', 'origin']);
    } else {
      await git(dir, ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`]);
    }
    // Pushes over smart HTTP, and the partial clones and by-SHA fetches the app does.
    for (const [key, value] of [['http.receivepack', 'true'], ['uploadpack.allowFilter', 'true'], ['uploadpack.allowAnySHA1InWant', 'true'], ['receive.denyDeleteCurrent', 'refuse']]) {
      await git(dir, ['config', key!, value!]);
    }
    await mkdir(join(dir, 'hooks'), { recursive: true });
    await writeFile(join(dir, 'hooks', 'pre-receive'), WORKFLOWS_HOOK);
    await chmod(join(dir, 'hooks', 'pre-receive'), 0o755);
    return new BareRepo(dir);
  }

  /** A commit whose tree is `parent`'s with `changes` applied. Does not move any ref. */
  async writeCommit(options: { parent?: string; changes: FileChanges; message: string; author: Person; committer?: Person; date?: string }): Promise<string> {
    const scratch = await mkdtemp(join(tmpdir(), 'local-github-index-'));
    try {
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      if (options.parent) await git(this.dir, ['read-tree', options.parent], { env });
      const writes = Object.entries(options.changes).filter((entry): entry is [string, FileContent] => entry[1] !== null);
      const deletes = Object.entries(options.changes).filter(([, content]) => content === null).map(([path]) => path);
      if (writes.length > 0) {
        const files = await Promise.all(writes.map(async ([, content], i) => {
          const file = join(scratch, `blob-${i}`);
          await writeFile(file, bytesOf(content));
          return file;
        }));
        const ids = (await git(this.dir, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: files.join('\n') })).split('\n');
        const cacheInfo = writes.flatMap(([path, content], i) => ['--cacheinfo', `${modeOf(content)},${ids[i]!},${path}`]);
        await git(this.dir, ['update-index', '--add', ...cacheInfo], { env });
      }
      // `--force-remove` wants a work tree, which a bare repository has none of; mode 0 removes an entry.
      if (deletes.length > 0) await git(this.dir, ['update-index', '--index-info'], { env, input: deletes.map((path) => `0 ${'0'.repeat(40)}\t${path}\n`).join('') });
      const tree = await git(this.dir, ['write-tree'], { env });
      return await this.commitTree(tree, options.parent ? [options.parent] : [], options.message, options.author, options.committer ?? options.author, options.date);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  commitTree(tree: string, parents: readonly string[], message: string, author: Person, committer: Person, date?: string): Promise<string> {
    const env: Record<string, string> = {
      GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email,
      ...(date && { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }),
    };
    return git(this.dir, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])], { input: message, env });
  }

  /** Moves `ref` to `sha`, only if it is still at `expected` (undefined: whatever it is; '': must not exist). */
  async updateRef(ref: string, sha: string, expected?: string): Promise<void> {
    const old = expected === undefined ? [] : [expected === '' ? '0'.repeat(40) : expected];
    await git(this.dir, ['update-ref', ref, sha, ...old]);
  }

  async deleteRef(ref: string): Promise<boolean> {
    return (await runGit(this.dir, ['update-ref', '-d', ref])).code === 0;
  }

  /** The branch HEAD names: the default branch. */
  async currentBranch(): Promise<string> {
    return (await git(this.dir, ['symbolic-ref', '--short', 'HEAD'])).trim();
  }

  async setHead(branch: string): Promise<void> {
    await git(this.dir, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }

  /** Every ref → the commit it points at (annotated tags peeled). */
  async refs(): Promise<Map<string, string>> {
    const out = await git(this.dir, ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(*objectname)']);
    const refs = new Map<string, string>();
    for (const line of out.split('\n')) {
      if (line === '') continue;
      const [name = '', object = '', peeled = ''] = line.split('\0');
      refs.set(name, peeled || object);
    }
    return refs;
  }

  async branches(): Promise<Map<string, string>> {
    const refs = await this.refs();
    return new Map([...refs].filter(([name]) => name.startsWith('refs/heads/')).map(([name, sha]) => [name.slice('refs/heads/'.length), sha]));
  }

  /** A branch, tag or SHA → its commit, or undefined. */
  async resolveCommit(rev: string): Promise<string | undefined> {
    if (rev.startsWith('-')) return undefined;
    const result = await runGit(this.dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
  }

  async commitInfo(sha: string): Promise<CommitInfo> {
    const format = ['%H', '%T', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x00');
    const [hash = '', tree = '', parents = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', ...message] = (await git(this.dir, ['show', '-s', `--format=${format}`, sha])).split('\0');
    return {
      sha: hash, tree, parents: parents.split(' ').filter(Boolean),
      author: { name: an, email: ae, date: utc(ad) }, committer: { name: cn, email: ce, date: utc(cd) }, message: message.join('\0'),
    };
  }

  /** Commits reachable from `head` but not from any of `not`, oldest first. */
  async commitsBetween(head: string, not: readonly string[]): Promise<string[]> {
    const out = await git(this.dir, ['rev-list', '--reverse', head, ...not.map((sha) => `^${sha}`)]);
    return out.split('\n').filter(Boolean);
  }

  /** Commits reachable from `head` that changed `path` (all of them without one), newest first, as `git log` lists them. */
  async commitsTouching(head: string, path: string | undefined): Promise<string[]> {
    const out = await git(this.dir, ['log', '--format=%H', head, '--', ...(path ? [path] : [])]);
    return out.split('\n').filter(Boolean);
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const result = await runGit(this.dir, ['merge-base', a, b]);
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
  }

  /** The file changes from `from` (a commit, or nothing: the empty tree) to `to`. */
  async diff(from: string | undefined, to: string): Promise<DiffEntry[]> {
    const base = from ?? EMPTY_TREE;
    const raw = (await git(this.dir, ['diff-tree', '-r', '-z', '--no-renames', base, to])).split('\0');
    const numstat = (await git(this.dir, ['diff-tree', '-r', '-z', '--no-renames', '--numstat', base, to])).split('\0');
    const counts = new Map<string, [number, number]>();
    for (const record of numstat) {
      const [added = '', deleted = '', path] = record.split('\t');
      if (path !== undefined) counts.set(path, [Number(added) || 0, Number(deleted) || 0]);
    }
    const entries: DiffEntry[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const [, , oldSha = '', newSha = '', letter = ''] = raw[i]!.replace(/^:/, '').split(' ');
      const path = raw[i + 1]!;
      const [additions, deletions] = counts.get(path) ?? [0, 0];
      const status = letter === 'A' ? 'added' : letter === 'D' ? 'removed' : 'modified';
      entries.push({ status, path, sha: status === 'removed' ? oldSha : newSha, additions, deletions });
    }
    return entries;
  }

  /**
   * The tree of `rev` (a branch, tag, commit or tree id), as GitHub's trees API lists it: with
   * `recursive`, every blob and folder beneath it; undefined when `rev` names none.
   */
  async tree(rev: string, recursive: boolean): Promise<{ sha: string; entries: { path: string; mode: string; type: string; sha: string; size?: number }[] } | undefined> {
    if (rev.startsWith('-')) return undefined;
    const resolved = await runGit(this.dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{tree}`]);
    if (resolved.code !== 0) return undefined;
    const sha = resolved.stdout.toString('utf8').trim();
    const out = await git(this.dir, ['ls-tree', '-z', '--long', ...(recursive ? ['-r', '-t'] : []), sha]);
    const entries = out.split('\0').filter(Boolean).map((record) => {
      const tab = record.indexOf('\t');
      const [mode = '', type = '', object = '', size = ''] = record.slice(0, tab).split(/\s+/);
      return { path: record.slice(tab + 1), mode, type, sha: object, ...(type === 'blob' && { size: Number(size) }) };
    });
    return { sha, entries };
  }

  /** What is at `path` in commit `rev`: a file with its bytes, a folder listing, or undefined. */
  async readPath(rev: string, path: string): Promise<PathContent | undefined> {
    const clean = path.replace(/^\/+|\/+$/g, '');
    if (clean === '') return this.listTree(`${rev}^{tree}`, '');
    const listing = await git(this.dir, ['ls-tree', '-z', '--full-tree', rev, '--', clean]);
    const [meta, name] = listing.split('\0')[0]?.split('\t') ?? [];
    if (!meta || name !== clean) return undefined;
    const [mode = '', type = '', sha = ''] = meta.split(' ');
    if (type === 'tree') return this.listTree(sha, clean);
    if (type !== 'blob') return undefined;
    const content = (await runGit(this.dir, ['cat-file', 'blob', sha])).stdout;
    return { type: 'file', sha, mode, content };
  }

  private async listTree(tree: string, prefix: string): Promise<PathContent> {
    const sha = await git(this.dir, ['rev-parse', tree]);
    const out = await git(this.dir, ['ls-tree', '-z', '--long', sha]);
    const entries = out.split('\0').filter(Boolean).map((record) => {
      const [meta = '', name = ''] = record.split('\t');
      const [, type = '', object = '', size = ''] = meta.split(/\s+/);
      const kind: 'file' | 'dir' | 'submodule' = type === 'tree' ? 'dir' : type === 'commit' ? 'submodule' : 'file';
      return { name, path: prefix ? `${prefix}/${name}` : name, type: kind, sha: object, size: Number(size) || 0 };
    });
    return { type: 'dir', sha, entries };
  }
}

/**
 * GitHub refuses a push by an app that creates or changes `.github/workflows/*` unless its token
 * has the `workflows` permission; git-http passes the token's level in LOCAL_GITHUB_WORKFLOWS.
 */
const WORKFLOWS_HOOK = `#!/bin/sh
[ "$LOCAL_GITHUB_WORKFLOWS" = "write" ] && exit 0
zero=0000000000000000000000000000000000000000
while read old new ref; do
  [ "$new" = "$zero" ] && continue
  if [ "$old" = "$zero" ]; then
    changed=$(git log --format= --name-only "$new" --not --branches -- .github/workflows | head -n 1)
  else
    changed=$(git diff --name-only "$old" "$new" -- .github/workflows | head -n 1)
  fi
  if [ -n "$changed" ]; then
    echo "refusing to allow a GitHub App to create or update workflow \\\`$changed\\\` without \\\`workflows\\\` permission" >&2
    exit 1
  fi
done
exit 0
`;

function bytesOf(content: FileContent): string | Buffer {
  if (typeof content === 'string' || Buffer.isBuffer(content)) return content;
  return 'symlink' in content ? content.symlink : content.content;
}

function modeOf(content: FileContent): string {
  if (typeof content === 'string' || Buffer.isBuffer(content)) return '100644';
  return 'symlink' in content ? '120000' : content.executable ? '100755' : '100644';
}

/** git's strict ISO dates carry the committer's offset; GitHub reports UTC. */
function utc(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
