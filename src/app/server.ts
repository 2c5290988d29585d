#!/usr/bin/env node
import { run, type ApplicationFunction } from 'probot';
import { appLog } from './app-log.js';
import { webApp } from './index.js';
import { TemplateDriftOctokit } from './octokit.js';
import type { AppRuntime } from './runtime.js';
import { onShutdown, probotEnv, signalHandlers } from './shutdown.js';

// `npm start`: Probot's own server, with this process's workers. Without APP_ID and a private
// key it serves Probot's setup page, which registers the app from app.yml; with them it
// receives webhooks. The logger is Probot's, built here so that tokens are redacted from its
// request lines (app-log.ts). Probot gets the environment without REDIS_URL (shutdown.ts says why).
let runtime: AppRuntime | undefined;
const app: ApplicationFunction = (probot, options) => {
  runtime = webApp(probot, options);
};
const before = signalHandlers();
const log = await appLog();
const server = await run(app, { Octokit: TemplateDriftOctokit, log, env: probotEnv() });
onShutdown(async () => {
  // No new webhooks first, then the running jobs finish or go back to the queue.
  await server.stop();
  await runtime?.shutdown();
}, log, before);
