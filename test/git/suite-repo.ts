import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { TestRepo } from '../support/temp-repo.js';

/**
 * Fixtures shared by the tests of one file. test/support's tempDir is removed after each test,
 * which would pull a shared template away from the second test; these live until the file ends.
 */
const suiteDirs: string[] = [];

afterAll(async () => {
  await Promise.all(suiteDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function suiteTempDir(prefix = 'td-suite-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  suiteDirs.push(dir);
  return dir;
}

/** A git repository kept for the whole test file: commits trees and tags releases. */
export const SuiteRepo = {
  create: (prefix = 'td-suite-repo-'): Promise<TestRepo> => TestRepo.create({}, prefix, suiteTempDir),
};
