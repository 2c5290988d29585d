#!/usr/bin/env node
import { run } from 'probot';
import { appLog } from './app-log.js';
import templateDrift from './index.js';
import { TemplateDriftOctokit } from './octokit.js';

// `npm start`: Probot's own server. Without APP_ID and a private key it serves Probot's setup
// page, which registers the app from app.yml; with them it receives webhooks.
// The logger is Probot's, built here so that tokens are redacted from its request lines (app-log.ts).
await run(templateDrift, { Octokit: TemplateDriftOctokit, log: await appLog() });
