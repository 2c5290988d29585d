#!/usr/bin/env node
import { run } from 'probot';
import templateDrift from './index.js';
import { TemplateDriftOctokit } from './octokit.js';

// `npm start`: Probot's own server. Without APP_ID and a private key it serves Probot's setup
// page, which registers the app from app.yml; with them it receives webhooks.
await run(templateDrift, { Octokit: TemplateDriftOctokit });
