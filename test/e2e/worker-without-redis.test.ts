import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateAppKey } from '../support/e2e/app-process.js';

const WORKER_SCRIPT = fileURLToPath(new URL('../../dist/app/worker.js', import.meta.url));

/** `npm run worker` as an operator starts it: credentials set, REDIS_URL forgotten. */
function startWorker(): Promise<{ code: number | null; output: string }> {
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
    APP_ID: '1', PRIVATE_KEY: generateAppKey(), WEBHOOK_SECRET: 'secret', HOST: '127.0.0.1', PORT: '0',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [WORKER_SCRIPT], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

describe('npm run worker without REDIS_URL', () => {
  it('exits with code 2 and one line saying to set REDIS_URL, without a stack trace or listening', async () => {
    const { code, output } = await startWorker();
    expect(code).toBe(2);
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('set REDIS_URL');
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toContain('listening');
  });
});
