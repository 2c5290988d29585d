import type { TestRepo } from '../support/temp-repo.js';
import type { Tree } from '../support/temp-repo.js';
import { SuiteRepo } from '../git/suite-repo.js';

/**
 * One template with two releases that exercise every rule: scaffold, enforce, exclude and merge
 * files; CRLF, no final newline, binary, executable and CI files; additions and deletions.
 */
export const MANIFEST_V1 = `name: svc-template
variables:
  service_name: { pattern: "[a-z][a-z0-9_]*" }
  log_level: { default: INFO }
files:
  exclude: ["template-only/**"]
  scaffold: ["{{service_name}}/**"]
  enforce: [Dockerfile, ".github/workflows/*.yml", "bin/*", legacy.cfg]
`;

export const CI_V1 = "on: push\njobs:\n  test:\n    if: ${{ github.event_name == 'push' }}\n    steps: [{ run: 'echo {{not a template}}' }]\n";
export const CI_V2 = CI_V1.replace('on: push', 'on: [push, pull_request]');
export const BINARY_V1 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]);
export const BINARY_V2 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 2]);

export const TEMPLATE_V1: Tree = {
  'template.yml': MANIFEST_V1,
  'Dockerfile.hbs': 'FROM python:3.12\nENV LOG={{log_level}}\n',
  '.github/workflows/ci.yml': CI_V1,
  'bin/run.sh': { content: '#!/bin/sh\necho v1\n', executable: true },
  'legacy.cfg': 'legacy=1\n',
  '{{service_name}}/app.py.hbs': 'print("{{service_name}}")\n',
  'notes.txt': 'a\nb\nc\nd\ne\n',
  'config.ini': 'port=80\n',
  'crlf.txt': 'a\r\nb\r\nc\r\nd\r\n',
  'nonl.txt': 'a\nb\nc\nd',
  'untouched.txt': 'same\n',
  'local-only.txt': 'x\n',
  'obsolete.txt': 'old\n',
  'obsolete-edited.txt': 'old\n',
  'edited-upstream.txt': 'v1\n',
  'logo.bin': BINARY_V1,
  'template-only/RELEASING.md': 'how to release the template\n',
};

export const TEMPLATE_V2: Tree = {
  'template.yml': `${MANIFEST_V1.replace('  log_level: { default: INFO }\n', '  log_level: { default: INFO }\n  region: { default: "eu-{{service_name}}" }\n')}`,
  'Dockerfile.hbs': 'FROM python:3.13\nENV LOG={{log_level}}\nENV REGION={{region}}\n',
  '.github/workflows/ci.yml': CI_V2,
  'bin/run.sh': { content: '#!/bin/sh\necho v2\n', executable: true },
  'legacy.cfg': null,
  '{{service_name}}/app.py.hbs': 'print("{{service_name}} v2")\n',
  '{{service_name}}/new_module.py': 'NEW = True\n',
  'notes.txt': 'A\nb\nc\nd\ne\n',
  'config.ini': 'port=8080\n',
  'crlf.txt': 'A\r\nb\r\nc\r\nd\r\n',
  'nonl.txt': 'A\nb\nc\nd',
  'untouched.txt': 'same v2\n',
  'obsolete.txt': null,
  'obsolete-edited.txt': null,
  'edited-upstream.txt': 'v2\n',
  'logo.bin': BINARY_V2,
  'new-file.txt': 'new\n',
  'template-only/RELEASING.md': 'how to release, v2\n',
};

/** Local edits that the update merges, replaces or keeps without any conflict. */
export const CLEAN_EDITS: Tree = {
  'Dockerfile': 'FROM python:3.12\nENV LOG=INFO\nRUN local-tweak\n',
  'legacy.cfg': 'legacy=1\nedited=1\n',
  'pay/app.py': 'print("custom")\n',
  'notes.txt': 'a\nb\nc\nd\nE\n',
  'crlf.txt': 'a\r\nb\r\nc\r\nD\r\n',
  'nonl.txt': 'a\nb\nc\nD',
  'local-only.txt': 'x local\n',
};

/** Local edits that conflict with v2. */
export const CONFLICTING_EDITS: Tree = {
  'config.ini': 'port=9000\n',
  'obsolete-edited.txt': 'old but edited\n',
  'edited-upstream.txt': null,
  'logo.bin': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 9]),
};

export interface ServiceTemplate {
  readonly repo: TestRepo;
  readonly v1: string;
  readonly v2: string;
}

export async function createServiceTemplate(): Promise<ServiceTemplate> {
  const repo = await SuiteRepo.create('td-cli-template-');
  const v1 = await repo.release('v1.0.0', TEMPLATE_V1);
  const v2 = await repo.release('v2.0.0', TEMPLATE_V2);
  return { repo, v1, v2 };
}
