import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const tsx = createRequire(import.meta.url).resolve('tsx/cli');

describe('npm run demo', () => {
  it('runs the whole product locally and prints one update PR per service', async () => {
    // dist/ is built by the global setup, as `npm run demo` builds it first.
    const { stdout } = await exec(process.execPath, [tsx, 'scripts/demo.ts'], { timeout: 120_000 });
    expect(stdout).toContain('1. Published acme/django-service-template v1.0.0');
    for (const service of ['payments', 'orders', 'inventory']) {
      expect(stdout).toContain(`acme/${service} #1: Update django-service-template to v1.1.0`);
    }
    expect(stdout).toMatch(/\.circleci\/config\.yml +\+6 -0 +enforced: local edits replaced by the template/);
    expect(stdout).toMatch(/Makefile +\+1 -1 +changed both here and in the template: merged/);
    expect(stdout).toMatch(/5\. The fleet page: http:\/\/127\.0\.0\.1:\d+\/template-drift\/fleet\?token=[0-9a-f]{24}\n/);
    expect(stdout).toMatch(/The Template adoption issue: http:\/\/127\.0\.0\.1:\d+\/acme\/django-service-template\/issues\/\d+\n/);
    for (const service of ['payments', 'orders', 'inventory']) {
      expect(stdout).toMatch(new RegExp(`acme/${service} +v1\\.0\\.0 +update-open +\\(on the issue and the page\\)`));
    }
  }, 120_000);
});
