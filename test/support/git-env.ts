/**
 * Isolates every git process a test starts from the machine's git config and identity, so
 * tests behave the same on a laptop and in CI. Imported by vitest's setup file.
 */
export const TEST_GIT_ENV = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
  GIT_TERMINAL_PROMPT: '0',
} as const;

export function isolateGit(): void {
  Object.assign(process.env, TEST_GIT_ENV);
}
