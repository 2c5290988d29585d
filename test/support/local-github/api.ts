import type { IncomingMessage } from 'node:http';
import type { Caller } from './auth.js';
import type { Events } from './events.js';
import type { Faults, RecordedRequest } from './faults.js';
import { ApiError, type ApiResponse } from './http.js';
import type { Hub } from './hub.js';
import type { OpenApiValidator } from './openapi-validator.js';
import { routes } from './routes/index.js';
import type { Violations } from './violations.js';

export const API_ROOT = '/api/v3';

/**
 * The REST API: every request is first checked against GitHub's description (unknown route:
 * 404, invalid: 400, both recorded as violations), then injected faults apply, then the route
 * (a fault `afterWrite` replaces the route's answer instead).
 */
export class Api {
  constructor(
    private readonly hub: Hub,
    private readonly events: Events,
    private readonly validator: OpenApiValidator,
    private readonly violations: Violations,
    private readonly faults: Faults,
    private readonly validateResponses: boolean,
  ) {}

  async handle(request: IncomingMessage, url: URL, raw: Buffer, caller: Caller, record: RecordedRequest): Promise<ApiResponse> {
    const method = request.method ?? 'GET';
    const path = url.pathname.slice(API_ROOT.length) || '/';
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        this.violations.add({ kind: 'invalid-json', method, path, body: raw.toString('utf8').slice(0, 500), errors: ['request body is not JSON'] });
        return new ApiError(400, 'Problems parsing JSON').toResponse();
      }
    }
    const query = Object.fromEntries(url.searchParams);
    const check = this.validator.checkRequest({ method, path, query, headers: request.headers, body });
    if (!check.ok) {
      this.violations.add({ kind: check.kind, method, path: path + url.search, ...(check.operationId && { operationId: check.operationId }), body, errors: check.errors });
      return check.kind === 'unknown-route' ? new ApiError(404, 'Not Found').toResponse() : new ApiError(400, 'Invalid request', { errors: check.errors }).toResponse();
    }
    record.template = check.template;
    record.operationId = check.operationId;
    const fault = this.faults.take({ method, path, template: check.template });
    if (fault && !fault.afterWrite) return fault.error.toResponse();
    const route = routes[check.operationId];
    if (!route) {
      this.violations.add({ kind: 'not-implemented', method, path, operationId: check.operationId, body, errors: ['valid for GitHub, but the local GitHub does not implement this operation'] });
      return new ApiError(404, 'Not Found').toResponse();
    }
    if (caller.kind === 'invalid') return new ApiError(401, 'Bad credentials').toResponse();
    const response = await this.run(() => route({ hub: this.hub, events: this.events, params: check.params, query, body, caller, url }));
    if (this.validateResponses && response.status < 300 && response.body !== undefined) {
      const errors = this.validator.checkResponse(check.operationId, response.status, response.body);
      if (errors.length > 0) this.violations.add({ kind: 'invalid-response', method, path, operationId: check.operationId, errors });
    }
    // The write happened (its webhooks too); the caller only sees the failure.
    return fault ? fault.error.toResponse() : response;
  }

  private async run(handler: () => ApiResponse | Promise<ApiResponse>): Promise<ApiResponse> {
    try {
      return await handler();
    } catch (error) {
      if (error instanceof ApiError) return error.toResponse();
      throw error;
    }
  }
}
