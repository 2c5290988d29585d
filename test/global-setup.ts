import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * The end-to-end tests run the app as a user does, from the built server in dist/: build it
 * (and bundle the CLI) once before any test file starts, so they never run yesterday's code.
 */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // The CLI ships as one bundled script beside dist/cli/main.js, as `npm run build` makes it.
  execFileSync(process.execPath, ['scripts/bundle-cli.js'], { stdio: 'inherit' });
}
