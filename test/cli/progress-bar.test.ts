import { afterEach, describe, expect, it, vi } from 'vitest';
import { terminalOutput } from '../../src/cli/output.js';

const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');

afterEach(() => {
  vi.restoreAllMocks();
  if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
  else delete (process.stderr as { isTTY?: boolean }).isTTY;
});

/** What the output wrote to stderr while `run` ran, with stderr a terminal or not. */
function stderrOf(isTerminal: boolean, run: () => void): string {
  Object.defineProperty(process.stderr, 'isTTY', { value: isTerminal, configurable: true });
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  run();
  return written.join('');
}

describe("the scan's progress bar", () => {
  it('on a terminal: one stderr line redrawn in place, erased once all are read', () => {
    const output = terminalOutput();
    const drawn = stderrOf(true, () => [1, 2, 3, 4].forEach((done) => output.progressBar(done, 4, 'repositories')));
    expect(drawn).toBe([
      `\r\x1b[K[${'#'.repeat(8)}${'-'.repeat(22)}] 1/4 repositories`,
      `\r\x1b[K[${'#'.repeat(15)}${'-'.repeat(15)}] 2/4 repositories`,
      `\r\x1b[K[${'#'.repeat(23)}${'-'.repeat(7)}] 3/4 repositories`,
      '\r\x1b[K',
    ].join(''));
  });

  it('in CI or a pipe: nothing, so logs hold only results', () => {
    const output = terminalOutput();
    expect(stderrOf(false, () => output.progressBar(1, 4, 'repositories'))).toBe('');
  });
});
