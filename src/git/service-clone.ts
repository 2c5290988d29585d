import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { blobId } from '../engine/blob-id.js';
import type { FileEntry, FileMap, FileMode } from '../engine/file-map.js';
import { assertRefLike, gitClient, type GitBounds } from './git-client.js';
import { readBlobsBatch } from './git-process.js';
import { redact } from './redact.js';
import { stageFiles } from './stage-files.js';
import { tokenAuthEnv } from './template-location.js';
import { remoteGitFailure } from './transient-git-failure.js';

export interface CloneOptions {
  /** The clone URL GitHub's API returned for the repository (never a hard-coded host). */
  readonly cloneUrl: string;
  readonly branch: string;
  /**
   * The branch the job will push to (the update branch): fetched in the clone's own request, so
   * that `branchAtOpen` says where it stands without asking the remote again.
   */
  readonly pushBranch?: string;
  /**
   * An installation token scoped to this one repository, or where to get the current one: asked
   * before every command that talks to the remote, so a token that expires mid-job is renewed.
   */
  readonly token?: string | (() => Promise<string>);
  /** Who the commits are by: the app's bot identity. */
  readonly committer: { readonly name: string; readonly email: string };
  /** The stall limit and the job's deadline, for every git command on this clone. */
  readonly bounds?: GitBounds;
  /** The only protocols git may speak. */
  readonly protocols?: readonly string[];
  /** Waits for GitHub's write budget: a push creates content as an API write does. */
  readonly beforePush?: () => Promise<void>;
}

export interface BranchHead {
  readonly sha: string;
  readonly tree: string;
  readonly parent: string | undefined;
  readonly committerEmail: string;
  readonly message: string;
}

/**
 * A service repository as the app sees it: a shallow, blobless clone of its default branch.
 * Trees come with the clone; blobs are fetched only for paths whose content we cannot already
 * tell from the template (equal blob ids mean equal bytes), so the cost follows the template's
 * size, not the repository's.
 */
export class ServiceClone {
  private constructor(
    readonly dir: string,
    private readonly git: SimpleGit,
    private readonly options: CloneOptions,
    /** The default branch's head commit the update is built on. */
    readonly head: string,
    /** Every token this clone used, to redact from messages. */
    private readonly tokens: string[],
  ) {}

  static async open(options: CloneOptions): Promise<ServiceClone> {
    assertRefLike(options.branch, 'Branch');
    if (options.pushBranch !== undefined) assertRefLike(options.pushBranch, 'Branch');
    const tokens: string[] = [];
    const token = await currentToken(options, tokens);
    const dir = await mkdtemp(join(tmpdir(), 'template-drift-clone-'));
    try {
      const git = gitClient(dir, { env: cloneEnv(options, token), ...(options.bounds && { bounds: options.bounds }), ...(options.protocols && { protocols: options.protocols }) });
      // What `clone --depth 1 --filter=blob:none --single-branch` does, as one fetch that also
      // brings the push branch: a pattern refspec matches nothing when that branch does not exist
      // (an exact one would fail), and the same ref listing answers whether it does.
      await git.raw(['init', '--quiet', `--initial-branch=${options.branch}`]);
      await git.raw(['fetch', '--quiet', '--progress', '--update-head-ok', '--depth', '1', '--filter=blob:none', '--no-tags', '--no-write-fetch-head', '--',
        options.cloneUrl, `+refs/heads/${options.branch}:refs/heads/${options.branch}`,
        ...(options.pushBranch !== undefined ? [`+refs/heads/${options.pushBranch}*:${ALONGSIDE}${options.pushBranch}*`] : [])]);
      const head = (await git.raw(['rev-parse', 'HEAD'])).trim();
      return new ServiceClone(dir, git, options, head, tokens);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      // A host that failed for now is tried again later; no such branch or repository, no access, is an answer.
      const message = `Cannot clone ${redact(options.cloneUrl)}: ${gitMessage(error, tokens)}`;
      throw remoteGitFailure(error, message);
    }
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The default branch head's tree id: equal trees mean equal files, with no blob read. */
  async headTree(): Promise<string> {
    return (await this.git.raw(['rev-parse', 'HEAD^{tree}'])).trim();
  }

  /** A file on the default branch, or undefined; `known` texts (the same file read through the API) stand in for its bytes when their blob ids match. */
  async readText(path: string, known: readonly string[] = []): Promise<string | undefined> {
    const files = await this.readFiles([path], [new Map(known.map((text, i) => [String(i), { content: Buffer.from(text), mode: '100644' as const }]))]);
    return files.get(path)?.content.toString('utf8');
  }

  /**
   * The repository's files at `paths`. `known` are maps (the rendered template at base and
   * target) whose bytes can stand in for the repository's when the blob ids match. As a checkout
   * does, it also returns what stands in the way of `paths`: a file or symlink where one of them
   * needs a folder, and the files beneath one that is a folder on the branch.
   */
  async readFiles(paths: readonly string[], known: readonly FileMap[]): Promise<Map<string, FileEntry>> {
    if (paths.length === 0) return new Map();
    const asked = new Set(paths);
    const ancestors = new Set(paths.flatMap((path) => path.split('/').slice(0, -1).map((_, i, all) => all.slice(0, i + 1).join('/'))));
    const byId = new Map<string, Buffer>();
    for (const map of known) for (const entry of map.values()) byId.set(blobId(entry.content), entry.content);

    const listed = await this.listTree(false, [...new Set([...ancestors, ...paths])]);
    // An asked path is a folder when git lists it as a tree, or lists something beneath it (git
    // descends into a folder, instead of naming it, when another asked path lies inside).
    const folders = [...asked].filter((path) => listed.some((entry) => (entry.type === 'tree' && entry.path === path) || entry.path.startsWith(`${path}/`)));
    const beneath = folders.length > 0 ? await this.listTree(true, folders) : [];
    const entries = [...listed, ...beneath].filter((entry) => entry.type === 'blob');
    const missing = [...new Set(entries.map((e) => e.sha).filter((sha) => !byId.has(sha)))];
    for (const [sha, content] of await this.readBlobs(missing)) byId.set(sha, content);
    return new Map(entries.map((e) => [e.path, { mode: e.mode, content: byId.get(e.sha) ?? Buffer.alloc(0) }]));
  }

  /** `git ls-tree` of HEAD at `paths` (with `recursive`, everything beneath them): trees, blobs, submodules. */
  private async listTree(recursive: boolean, paths: readonly string[]): Promise<{ path: string; type: string; mode: FileMode; sha: string }[]> {
    const listing = await this.git.raw(['ls-tree', '-z', '--full-tree', ...(recursive ? ['-r'] : []), 'HEAD', '--', ...paths]);
    const entries: { path: string; type: string; mode: FileMode; sha: string }[] = [];
    for (const record of listing.split('\0')) {
      if (record === '') continue;
      const tab = record.indexOf('\t');
      const [mode = '', type = '', sha = ''] = record.slice(0, tab).split(' ');
      entries.push({ path: record.slice(tab + 1), type, sha, mode: mode === '100755' ? '100755' : mode === '120000' ? '120000' : '100644' });
    }
    return entries;
  }

  /** Fetches the blobs in one request (a partial clone would otherwise fetch them one by one), then reads them in one `cat-file --batch`. */
  private async readBlobs(shas: readonly string[]): Promise<Map<string, Buffer>> {
    if (shas.length === 0) return new Map();
    await this.network(['fetch', '--quiet', '--progress', '--no-tags', '--no-write-fetch-head',
      '--filter=blob:none', '--', this.options.cloneUrl, ...shas], ['fetch.negotiationAlgorithm=noop']);
    return readBlobsBatch(this.dir, shas, {
      env: cloneEnv(this.options, undefined),
      ...(this.options.protocols && { protocols: this.options.protocols }),
      ...(this.options.bounds?.signal && { signal: this.options.bounds.signal }),
    });
  }

  /**
   * The push branch (`pushBranch`) as the remote had it when the clone was made, with no request;
   * undefined when it did not exist. A push leasing that state never overwrites a commit someone
   * pushed since.
   */
  async branchAtOpen(): Promise<BranchHead | undefined> {
    const branch = this.options.pushBranch;
    if (branch === undefined) throw new Error('branchAtOpen needs the clone opened with a pushBranch');
    // The pattern fetched every branch whose name begins with this one: only its own ref counts.
    const ref = `${ALONGSIDE}${branch}`;
    const listing = await this.git.raw(['for-each-ref', '--format=%(objectname) %(refname)', ref]);
    const sha = listing.split('\n').find((line) => line.endsWith(` ${ref}`))?.split(' ')[0];
    if (!sha) return undefined;
    const info = await this.git.raw(['show', '-s', '--format=%T%x00%ce%x00%B', sha]);
    const [tree = '', committerEmail = '', message = ''] = info.split('\0');
    // Fetched at depth 1, the commit shows git no parent: its own object still names it.
    const object = await this.git.raw(['cat-file', 'commit', sha]);
    const parent = /^parent ([0-9a-f]+)$/m.exec(object.slice(0, object.indexOf('\n\n')))?.[1];
    return { sha, tree, parent, committerEmail, message };
  }

  /**
   * One commit on top of the default branch's head (or of `parent`, a commit already fetched):
   * its tree is the head's tree with `writes` and `deletes` applied. Built in a private index, so
   * no working tree is ever checked out.
   */
  async commit(writes: FileMap, deletes: readonly string[], message: string, parent = this.head): Promise<{ sha: string; tree: string }> {
    const scratch = await mkdtemp(join(tmpdir(), 'template-drift-blobs-'));
    try {
      const index = join(scratch, 'index');
      const git = gitClient(this.dir, { env: { ...cloneEnv(this.options, undefined), GIT_INDEX_FILE: index }, ...(this.options.bounds && { bounds: this.options.bounds }) });
      await git.raw(['read-tree', 'HEAD']);
      // Removals first, as in a checkout: a file that becomes a folder (or back) must leave the index before its replacement enters.
      if (deletes.length > 0) await git.raw(['update-index', '--force-remove', '--', ...deletes]);
      await stageFiles(git, scratch, writes);
      // The head's blobs this update never read are on the remote only (the clone is blobless):
      // without --missing-ok, write-tree would fetch every one of them first, with no token.
      const tree = (await git.raw(['write-tree', '--missing-ok'])).trim();
      const sha = (await git.raw(['commit-tree', tree, '-p', parent, '-m', message])).trim();
      return { sha, tree };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Pushes `sha` to `branch`, but only if the branch is still at `expected` (absent: must not
   * exist): a commit someone else pushed meanwhile is never overwritten.
   */
  async push(sha: string, branch: string, expected: string | undefined): Promise<void> {
    assertRefLike(branch, 'Branch');
    const ref = `refs/heads/${branch}`;
    await this.options.beforePush?.();
    // No deltas: a thin pack (over HTTP git makes one even with --no-thin) deltas against the
    // remote's blobs, which this blobless clone lacks and would fetch (a round trip, with no
    // token) to send a few bytes less.
    await this.network(['push', '--quiet', '--porcelain', `--force-with-lease=${ref}:${expected ?? ''}`, '--', this.options.cloneUrl, `${sha}:${ref}`], ['pack.window=0']);
  }

  /**
   * A git command that talks to the remote (with `config` as `-c` settings), with the token current now (a renewed one when the
   * first expired): failures become one redacted message, a TransientError when the remote
   * failed for now (see transient-git-failure.ts), else a GitRemoteError.
   */
  private async network(args: string[], config: readonly string[] = []): Promise<string> {
    // Outside the try: a token GitHub would not mint is GitHub's answer (its status tells whether to retry), not git's.
    const token = await currentToken(this.options, this.tokens);
    try {
      const git = gitClient(this.dir, {
        env: cloneEnv(this.options, token), ...(this.options.bounds && { bounds: this.options.bounds }), ...(this.options.protocols && { protocols: this.options.protocols }),
      });
      return await git.raw([...config.flatMap((setting) => ['-c', setting]), ...args]);
    } catch (error) {
      const message = `git ${args.find((a) => !a.startsWith('-')) ?? ''} failed for ${redact(this.options.cloneUrl)}: ${gitMessage(error, this.tokens)}`;
      throw remoteGitFailure(error, message, GitRemoteError);
    }
  }
}

/** Where the clone keeps the remote's push branch (and any branch whose name it begins). */
const ALONGSIDE = 'refs/remotes/origin/';

/** A remote operation failed for good (a push the remote refused, no access); the message is already redacted. */
export class GitRemoteError extends Error {
  override readonly name = 'GitRemoteError';
}

/** The token to use now; remembered in `used`, for redaction. */
async function currentToken(options: CloneOptions, used: string[]): Promise<string | undefined> {
  const token = typeof options.token === 'function' ? await options.token() : options.token;
  if (token && !used.includes(token)) used.push(token);
  return token;
}

/**
 * The last lines git printed up to its last `fatal:` or `error:` (the advice after it, "Please
 * make sure you have the correct access rights", says nothing of the cause), without its
 * progress meter (`Receiving objects:  40% (2/5)`).
 */
function gitMessage(error: unknown, tokens: readonly string[]): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = redact(text, tokens).split(/[\r\n]+/).map((line) => line.trim().replace(/\s+/g, ' ')).filter((line) => line !== '' && !NOISE.test(line));
  const last = lines.findLastIndex((line) => /^(fatal|error):/.test(line));
  return lines.slice(0, last < 0 ? lines.length : last + 1).slice(-2).join(' ');
}

/** git's progress meter, and the frame of a porcelain push's report (`To URL` … `Done`) around its one line per ref. */
const NOISE = /^((remote: )?[A-Z][a-z]+( [a-z]+)*: +(\d+% \(|\d+, done\.|\d+ \(delta)|To \S+$|Done$)/;

/** Credentials for the one host (none for local work), the bot's identity for commits, and paths taken literally. */
function cloneEnv(options: CloneOptions, token: string | undefined): Record<string, string> {
  const { committer } = options;
  return {
    ...tokenAuthEnv(options.cloneUrl, token),
    GIT_AUTHOR_NAME: committer.name,
    GIT_AUTHOR_EMAIL: committer.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_LITERAL_PATHSPECS: '1',
  };
}
