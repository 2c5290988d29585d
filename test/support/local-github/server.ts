import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_ROOT, type Api } from './api.js';
import { identifyCaller, type AppIdentity } from './auth.js';
import type { Faults, RecordedRequest } from './faults.js';
import { GIT_PATH, type GitHttp } from './git-http.js';
import { ApiError, readBody, sendJson } from './http.js';
import type { Hub } from './hub.js';
import type { GitStalls } from './stalls.js';
import type { Violations } from './violations.js';

/** The HTTP front door: the REST API under /api/v3, git's smart HTTP at /{owner}/{repo}.git. */
export class Server {
  private readonly http: HttpServer;

  constructor(
    private readonly hub: Hub,
    private readonly api: Api,
    private readonly git: GitHttp,
    private readonly faults: Faults,
    private readonly violations: Violations,
    private readonly identity: AppIdentity,
    readonly requests: RecordedRequest[],
    private readonly stalls: GitStalls,
  ) {
    this.http = createServer((request, response) => void this.handle(request, response));
  }

  /** Listens on a free port of 127.0.0.1 and returns the base URL. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(this.http.address() as AddressInfo).port}`));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.hub.urls.base);
    const method = request.method ?? 'GET';
    const isApi = url.pathname === API_ROOT || url.pathname.startsWith(`${API_ROOT}/`);
    const record: RecordedRequest = { at: Date.now(), method, path: isApi ? url.pathname.slice(API_ROOT.length) : url.pathname, status: 0 };
    this.requests.push(record);
    // A connection carries one request at a time (HTTP/1.1), so the socket's counters' growth
    // while this one is answered is its traffic.
    const { socket } = request;
    const [readBefore, writtenBefore] = [socket.bytesRead, socket.bytesWritten];
    response.once('finish', () => {
      record.bytesIn = socket.bytesRead - readBefore;
      record.bytesOut = socket.bytesWritten - writtenBefore;
    });
    const caller = identifyCaller(request.headers.authorization, this.hub.state, this.identity);
    try {
      if (isApi) {
        const reply = await this.api.handle(request, url, await readBody(request), caller, record);
        record.status = reply.status;
        sendJson(response, reply);
      } else if (GIT_PATH.test(url.pathname)) {
        const [, owner = '', repo = ''] = GIT_PATH.exec(url.pathname) ?? [];
        // A stalled repository: accepted, never answered (status stays 0 in the log).
        if (this.stalls.hold(owner, repo, response)) return;
        const fault = this.faults.take({ method, path: url.pathname });
        if (fault?.afterWrite) throw new Error('afterWrite faults are for API requests; git requests fail before they run');
        if (fault) {
          await readBody(request);
          record.status = fault.error.status;
          sendJson(response, fault.error.toResponse());
        } else {
          record.status = await this.git.serve(request, response, url, caller);
        }
      } else {
        record.status = 404;
        sendJson(response, new ApiError(404, 'Not Found').toResponse());
      }
    } catch (error) {
      // A bug of the local GitHub: fail the test that hit it rather than leave the app guessing.
      const message = error instanceof Error ? error.stack ?? error.message : String(error);
      this.violations.add({ kind: 'internal-error', method, path: record.path, errors: [message] });
      record.status = 500;
      if (!response.headersSent) sendJson(response, new ApiError(500, 'Internal error of the local GitHub', { detail: message }).toResponse());
      else response.end();
    }
  }
}
