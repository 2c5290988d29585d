#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundle, type CliModule } from './bundle-loader.js';

// `npm run build` puts the whole CLI in one script beside this file; without it (running the
// TypeScript sources) the modules load one by one.
const bundle = fileURLToPath(new URL('./template-drift.cjs', import.meta.url));
const loaded = existsSync(bundle) ? loadBundle(bundle) : undefined;
const cli: CliModule = loaded?.cli ?? (await import('./program.js'));
process.exitCode = await cli.runCli(process.argv.slice(2));
loaded?.saveCodeCache();
