import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StallingServer {
  /** A clone URL on the server: http://127.0.0.1:PORT/acme/stuck.git */
  readonly url: string;
  /** Requests it received (and never finished answering). */
  readonly requests: () => number;
  close(): Promise<void>;
}

/**
 * A git host that accepts every connection and never finishes an answer: with `trickleMs` it
 * sends the status line and then one byte every `trickleMs`, otherwise nothing at all.
 * Loopback only.
 */
export async function startStallingServer(options: { trickleMs?: number } = {}): Promise<StallingServer> {
  let requests = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request, response: ServerResponse) => {
    requests++;
    if (options.trickleMs === undefined) return;
    response.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
    const timer = setInterval(() => response.write('0'), options.trickleMs);
    timers.add(timer);
    request.socket.once('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // git must reach it directly, even where the machine has an HTTP proxy.
  const previous = process.env.no_proxy;
  process.env.no_proxy = '127.0.0.1';
  return {
    url: `http://127.0.0.1:${port}/acme/stuck.git`,
    requests: () => requests,
    close: () => new Promise((resolve) => {
      if (previous === undefined) delete process.env.no_proxy;
      else process.env.no_proxy = previous;
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
