#!/usr/bin/env node
import { createServer } from 'node:http';
import { createProbot } from 'probot';
import { appLog } from './app-log.js';
import { createApp } from './index.js';
import { TemplateDriftOctokit } from './octokit.js';
import { readSettings } from './settings.js';
import { onShutdown, probotEnv } from './shutdown.js';
import { statusHandler } from './status-handler.js';

// `npm run worker`: workers only. It takes jobs from the Redis queue that `npm start` processes
// (and other workers) share; it has no webhook route. `/ping` answers for health checks and
// `/template-drift/status` as on the web process.
const settings = readSettings();
const log = await appLog();
if (!settings.redisUrl) {
  log.fatal('npm run worker takes its jobs from Redis: set REDIS_URL (without it, npm start runs the jobs in its own process)');
  process.exit(2);
}
const probot = createProbot({ env: probotEnv(), overrides: { Octokit: TemplateDriftOctokit, log } });
const runtime = createApp(probot, settings);
const status = statusHandler(runtime.queue);
const http = createServer((request, response) => {
  if (status(request, response)) return;
  if (request.method === 'GET' && request.url?.split('?')[0] === '/ping') {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('PONG');
    return;
  }
  response.writeHead(404);
  response.end();
});
const port = Number(process.env.PORT ?? 3000);
http.listen(port, process.env.HOST ?? '0.0.0.0', () => log.info({ port }, 'template-drift worker listening'));
onShutdown(async () => {
  await runtime.shutdown();
  await new Promise((resolve) => http.close(resolve));
}, log);
