import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { OpenAPIBackend, type Operation } from 'openapi-backend';

/** What the description says about one request: the operation it is, or why it is not valid. */
export type RequestCheck =
  | { readonly ok: true; readonly operationId: string; readonly template: string; readonly params: Record<string, string> }
  | { readonly ok: false; readonly kind: 'unknown-route' | 'invalid-request'; readonly errors: string[]; readonly operationId?: string; readonly template?: string };

export interface RequestToCheck {
  readonly method: string;
  /** Path below the API root (`/repos/o/r/pulls`), as sent (still percent-encoded). */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

const require = createRequire(import.meta.url);

/**
 * Parameters GitHub accepts with literal slashes although the description declares them one
 * path segment (`contents/{path}`, `git/refs/{ref}`, `commits/{ref}`, `compare/{basehead}`, `git/trees/{tree_sha}`).
 * Octokit percent-encodes them; a person's `curl` does not. Both reach the same operation.
 */
const SLASHED_TAILS = [/^(\/repos\/[^/]+\/[^/]+\/contents\/)(.+)$/, /^(\/repos\/[^/]+\/[^/]+\/git\/refs\/)(.+)$/, /^(\/repos\/[^/]+\/[^/]+\/commits\/)(.+)$/, /^(\/repos\/[^/]+\/[^/]+\/compare\/)(.+)$/, /^(\/repos\/[^/]+\/[^/]+\/git\/trees\/)(.+)$/];

/**
 * GitHub's own REST description (@octokit/openapi) as a request and response checker. Loaded
 * once per test worker (the file is 13 MB); response validators compile lazily, per operation.
 */
export class OpenApiValidator {
  private constructor(private readonly api: OpenAPIBackend) {}

  private static loading: Promise<OpenApiValidator> | undefined;

  static load(): Promise<OpenApiValidator> {
    OpenApiValidator.loading ??= OpenApiValidator.create();
    return OpenApiValidator.loading;
  }

  private static async create(): Promise<OpenApiValidator> {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    const definition = fixNullable(JSON.parse(await readFile(file, 'utf8'))) as { paths: Record<string, unknown> };
    // `compare/{base}...{head}` (Octokit's compareCommits) is the same URL as `compare/{basehead}`;
    // the router cannot split two parameters in one segment (base `main...to`, head ``), so every
    // compare request is matched as `repos/compare-commits-with-basehead`.
    delete definition.paths['/repos/{owner}/{repo}/compare/{base}...{head}'];
    const api = new OpenAPIBackend({
      definition: definition as never,
      quick: true,
      validate: true,
      coerceTypes: true,
      customizeAjv: (ajv) => {
        for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
        return ajv;
      },
    });
    await api.init();
    return new OpenApiValidator(api);
  }

  checkRequest(request: RequestToCheck): RequestCheck {
    const headers = stringHeaders(request.headers);
    let base = { method: request.method.toLowerCase(), path: request.path, query: request.query, headers };
    let operation = this.api.matchOperation(base);
    if (!operation) {
      // Only when nothing matches as sent: `commits/abc/status` is its own operation, not `commits/{ref}`.
      base = { ...base, path: normalizePath(request.path) };
      operation = this.api.matchOperation(base);
    }
    if (!operation) return { ok: false, kind: 'unknown-route', errors: [`${request.method} ${request.path} is not in GitHub's REST description`] };
    const operationId = operation.operationId ?? '?';
    const template = operation.path;
    let result;
    try {
      result = this.api.validateRequest({ ...base, ...(request.body !== undefined && { body: request.body }) }, operation);
    } catch (error) {
      // A malformed percent-escape in the path (the router decodes parameters).
      return { ok: false, kind: 'invalid-request', operationId, template, errors: [String(error)] };
    }
    if (!result.valid) {
      return { ok: false, kind: 'invalid-request', operationId, template, errors: (result.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim()) };
    }
    return { ok: true, operationId, template, params: this.api.router.parseRequest(base, operation).params as Record<string, string> };
  }

  /** Errors of a response against the operation's schema for that status; empty when it fits. */
  checkResponse(operationId: string, status: number, body: unknown): string[] {
    const operation: Operation | undefined = this.api.getOperation(operationId);
    if (!operation) return [`no operation ${operationId}`];
    const result = this.api.validateResponse(body, operation, status);
    return result.valid ? [] : (result.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim());
  }
}

function normalizePath(path: string): string {
  for (const pattern of SLASHED_TAILS) {
    const match = pattern.exec(path);
    if (match) return `${match[1]}${match[2]!.split('/').join('%2F')}`;
  }
  return path;
}

function stringHeaders(headers: RequestToCheck['headers']): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined));
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The formats the description uses. Those a response of ours could get wrong are checked;
 * the rest are GitHub's annotations and accept anything.
 */
const FORMATS: Record<string, true | ((value: string) => boolean)> = {
  'date-time': (value) => DATE_TIME.test(value),
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value),
  uri: (value) => URL.canParse(value),
  'uri-template': true,
  email: true,
  int32: true,
  int64: true,
  double: true,
  binary: true,
  timestamp: true,
  'repo.nwo': true,
};

/**
 * Two places where ajv reads OpenAPI 3.0's `nullable` differently from GitHub: beside
 * `oneOf`/`allOf` with no `type` ajv refuses to compile ("nullable cannot be used without type"),
 * rewritten as `anyOf: [schema, {type: null}]`; and a nullable `enum` must list null itself.
 */
function fixNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixNullable);
  if (node === null || typeof node !== 'object') return node;
  const object = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fixNullable(value)]));
  // ajv wants null listed in a nullable enum (`state_reason: null` would fail otherwise).
  if (object.nullable === true && Array.isArray(object.enum) && !object.enum.includes(null)) object.enum = [...object.enum as unknown[], null];
  if (!('nullable' in object) || 'type' in object) return object;
  const { nullable, description, ...rest } = object;
  const described = description === undefined ? {} : { description };
  if (nullable === true && ('oneOf' in rest || 'anyOf' in rest || 'allOf' in rest || '$ref' in rest)) return { ...described, anyOf: [rest, { type: 'null' }] };
  return { ...described, ...rest };
}
