import { readFileSync } from 'node:fs';
import { Probot } from 'probot';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { createApp } from '../../src/app/index.js';
import { tempDir } from '../support/temp-repo.js';
import { BOT } from '../support/app-harness.js';

const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as {
  default_events: string[];
  default_permissions: Record<string, string>;
};

describe('app.yml asks for the least the app needs', () => {
  it('subscribes to exactly the events the app has handlers for', async () => {
    const probot = new Probot({ appId: 1, privateKey: 'unused', logLevel: 'fatal' });
    const on = vi.spyOn(probot, 'on');
    createApp(probot, { cacheDir: await tempDir('td-manifest-cache-'), concurrency: 1, committer: BOT });
    const handled = new Set(on.mock.calls.flatMap(([names]) => [names].flat()).map((name) => String(name).split('.')[0]));
    expect(new Set(manifest.default_events)).toEqual(handled);
  });

  it('asks for no permission the shipped code does not use', () => {
    expect(manifest.default_permissions).toEqual({
      contents: 'write', pull_requests: 'write', issues: 'write', workflows: 'write', checks: 'write', metadata: 'read',
    });
  });
});
