import type { InstallationRecord, RepoRecord, UserRecord } from '../types.js';
import { nodeId, type Urls } from './urls.js';

/** `simple-user`. */
export function userShape(urls: Urls, user: UserRecord): Record<string, unknown> {
  const api = `${urls.api}/users/${user.login}`;
  return {
    login: user.login, id: user.id, node_id: nodeId('User', user.id), avatar_url: `${urls.base}/avatars/u/${user.id}`, gravatar_id: '',
    url: api, html_url: `${urls.base}/${user.login}`, followers_url: `${api}/followers`, following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`, starred_url: `${api}/starred{/owner}{/repo}`, subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`, repos_url: `${api}/repos`, events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`, type: user.type, site_admin: false, user_view_type: 'public',
  };
}

/** `full-repository`, which also satisfies `repository` (installation lists, pull request heads). */
export function repoShape(urls: Urls, repo: RepoRecord, owner: UserRecord, openIssues: number): Record<string, unknown> {
  const api = urls.repoApi(repo.owner, repo.name);
  const html = urls.repoHtml(repo.owner, repo.name);
  const host = new URL(urls.base).host;
  return {
    id: repo.id, node_id: nodeId('Repository', repo.id), name: repo.name, full_name: `${repo.owner}/${repo.name}`,
    owner: userShape(urls, owner), private: repo.private, html_url: html, description: repo.description, fork: false, url: api,
    archive_url: `${api}/{archive_format}{/ref}`, assignees_url: `${api}/assignees{/user}`, blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`, collaborators_url: `${api}/collaborators{/collaborator}`, comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`, compare_url: `${api}/compare/{base}...{head}`, contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`, deployments_url: `${api}/deployments`, downloads_url: `${api}/downloads`, events_url: `${api}/events`,
    forks_url: `${api}/forks`, git_commits_url: `${api}/git/commits{/sha}`, git_refs_url: `${api}/git/refs{/sha}`, git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${repo.owner}/${repo.name}.git`, issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`, issues_url: `${api}/issues{/number}`, keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`, languages_url: `${api}/languages`, merges_url: `${api}/merges`, milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`, pulls_url: `${api}/pulls{/number}`, releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${repo.owner}/${repo.name}.git`, stargazers_url: `${api}/stargazers`, statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`, subscription_url: `${api}/subscription`, tags_url: `${api}/tags`, teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`, clone_url: urls.cloneUrl(repo.owner, repo.name), mirror_url: null, hooks_url: `${api}/hooks`,
    svn_url: html, homepage: null, language: null, forks_count: 0, forks: 0, stargazers_count: 0, watchers_count: 0, watchers: 0, size: 0,
    default_branch: repo.defaultBranch, open_issues_count: openIssues, open_issues: openIssues, is_template: repo.isTemplate, topics: [],
    has_issues: true, has_projects: false, has_wiki: false, has_pages: false, has_downloads: true, has_discussions: false,
    archived: repo.archived, disabled: false, visibility: repo.private ? 'private' : 'public',
    pushed_at: repo.pushedAt, created_at: repo.createdAt, updated_at: repo.updatedAt,
    allow_rebase_merge: true, allow_squash_merge: true, allow_merge_commit: true, allow_auto_merge: false, delete_branch_on_merge: false,
    allow_forking: true, web_commit_signoff_required: false, license: null, network_count: 0, subscribers_count: 0,
  };
}

/** The installation object of `installation.*` webhooks. */
export function installationShape(urls: Urls, installation: InstallationRecord, account: UserRecord, appId: number, appSlug: string): Record<string, unknown> {
  return {
    id: installation.id, node_id: nodeId('Installation', installation.id), account: userShape(urls, account),
    repository_selection: installation.repositories === 'all' ? 'all' : 'selected',
    access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`, html_url: `${urls.base}/settings/installations/${installation.id}`,
    app_id: appId, app_slug: appSlug, target_id: account.id, target_type: account.type === 'Organization' ? 'Organization' : 'User',
    permissions: installation.permissions, events: ['issue_comment', 'pull_request', 'push', 'release'],
    created_at: installation.createdAt, updated_at: installation.createdAt, single_file_name: null, has_multiple_single_files: false,
    single_file_paths: [], suspended_by: null, suspended_at: null,
  };
}
