import { describe, expect, it } from 'vitest';
import { parseCruftState, updateCruftText } from '../../src/engine/cruft-file.js';
import { UserError } from '../../src/engine/user-error.js';

const SHA1 = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);
const STATE = `{
  "template": "https://github.com/acme/cookiecutter-django-service",
  "commit": "${SHA1}",
  "checkout": null,
  "context": {
    "cookiecutter": {
      "project_name": "Zoë's API",
      "use_docker": "y",
      "_copy_without_render": ["*.html"],
      "_template": "https://github.com/acme/cookiecutter-django-service"
    }
  },
  "directory": null,
  "skip": ["docs/", "CHANGELOG.md"]
}
`;

describe('.cruft.json', () => {
  it('reads template, commit, checkout as the version, the answers without _ entries, and skip as ignore', () => {
    expect(parseCruftState(STATE)).toEqual({
      template: 'https://github.com/acme/cookiecutter-django-service', commit: SHA1,
      variables: { project_name: "Zoë's API", use_docker: 'y' }, ignore: ['docs', 'docs/**', 'CHANGELOG.md', 'CHANGELOG.md/**'], prereleases: false,
    });
    expect(parseCruftState(STATE.replace('"checkout": null', '"checkout": "develop"')).version).toBe('develop');
  });

  it('refuses what it cannot follow, with one message', () => {
    expect(() => parseCruftState('{')).toThrow(/\.cruft\.json is not valid JSON/);
    expect(() => parseCruftState(STATE.replace(SHA1, 'main'))).toThrow(/commit must be a full commit SHA/);
    expect(() => parseCruftState(STATE.replace('"directory": null', '"directory": "sub"'))).toThrow(UserError);
  });

  it('writes the new commit and context as cruft update does, every other key in its place', () => {
    const text = updateCruftText(STATE, { commit: SHA2, variables: { project_name: "Zoë's API", use_docker: 'y', use_sentry: 'n', _copy_without_render: ['*.html'] } });
    expect(text).toBe(STATE
      .replace(SHA1, SHA2)
      .replace('"use_docker": "y",', '"use_docker": "y",\n      "use_sentry": "n",')
      .replace('"_copy_without_render": ["*.html"],', '"_copy_without_render": [\n        "*.html"\n      ],')
      .replace('"skip": ["docs/", "CHANGELOG.md"]', '"skip": [\n    "docs/",\n    "CHANGELOG.md"\n  ]'));
  });

  it('keeps a _commit entry current where a later cruft wrote one', () => {
    const withCommit = STATE.replace('"_template"', `"_commit": "${SHA1}",\n      "_template"`);
    const written = JSON.parse(updateCruftText(withCommit, { commit: SHA2, variables: {} })) as { context: { cookiecutter: Record<string, string> } };
    expect(written.context.cookiecutter).toEqual({ _template: 'https://github.com/acme/cookiecutter-django-service', _commit: SHA2 });
  });
});
