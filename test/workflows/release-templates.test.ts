import { describe, expect, it } from 'vitest';
import { releaseTemplates, type KnownTemplate } from '../../src/workflows/release-templates.js';

const known = (token: string): KnownTemplate => ({
  url: 'https://github.example/acme/tpl.git', htmlUrl: 'https://github.example/acme/tpl', repoId: { owner: 'acme', repo: 'tpl' }, token,
  refs: new Map([['refs/tags/v1.1.0', 'a'.repeat(40)]]), releases: () => Promise.resolve([]),
});

describe('what a fan-out keeps of its template for its updates', () => {
  it('answers for the same template (in any letter case) at the same release only, for ten minutes', () => {
    let now = 0;
    const templates = releaseTemplates(() => now);
    templates.remember('Acme/Tpl', 'v1.1.0', known('t1'));
    expect(templates.known('acme/tpl', 'v1.1.0')?.token).toBe('t1');
    expect(templates.known('acme/tpl', 'v1.2.0')).toBeUndefined();
    expect(templates.known('acme/other', 'v1.1.0')).toBeUndefined();
    now = 10 * 60_000 - 1;
    expect(templates.known('acme/tpl', 'v1.1.0')).toBeDefined();
    now = 10 * 60_000;
    // Long before the read token's hour is up, the next update opens the template itself.
    expect(templates.known('acme/tpl', 'v1.1.0')).toBeUndefined();
  });

  it('keeps a later fan-out of the same release over the earlier one', () => {
    const templates = releaseTemplates(() => 0);
    templates.remember('acme/tpl', 'v1.1.0', known('t1'));
    templates.remember('acme/tpl', 'v1.1.0', known('t2'));
    expect(templates.known('acme/tpl', 'v1.1.0')?.token).toBe('t2');
  });
});
