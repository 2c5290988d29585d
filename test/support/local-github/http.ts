import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route answers; the server adds content type and serialisation. */
export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** An answer in GitHub's error format (`message`, `documentation_url`, optionally `errors`). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly extra: Record<string, unknown> = {}, readonly headers: Record<string, string> = {}) {
    super(message);
  }

  toResponse(): ApiResponse {
    return {
      status: this.status,
      body: { message: this.message, documentation_url: 'https://docs.github.com/rest', status: String(this.status), ...this.extra },
      headers: this.headers,
    };
  }
}

export const notFound = (): ApiError => new ApiError(404, 'Not Found');

/** GitHub's 422 for a field that fails a rule the schema cannot express. */
export function validationFailed(resource: string, field: string, code: string, message?: string): ApiError {
  return new ApiError(422, 'Validation Failed', { errors: [{ resource, field, code, ...(message && { message }) }] });
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(response: ServerResponse, reply: ApiResponse): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...(reply.body !== undefined && { 'content-type': 'application/json; charset=utf-8' }),
    'x-github-media-type': 'github.v3; format=json',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    ...reply.headers,
  });
  response.end(body);
}

/**
 * One page of `items` as GitHub pages lists: `per_page` (default 30, at most 100) and `page`,
 * with a Link header (next, last, first, prev) whenever there is more than one page.
 */
export function paginate<T>(items: readonly T[], query: Record<string, string>, requestUrl: URL): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), 100);
  const page = Math.max(Number(query.page ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string): string => {
    const url = new URL(requestUrl);
    url.searchParams.set('page', String(n));
    url.searchParams.set('per_page', String(perPage));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(page - 1, 'prev')] : []),
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first')] : []),
  ];
  return { page: items.slice((page - 1) * perPage, page * perPage), headers: links.length > 0 ? { link: links.join(', ') } : {} };
}
