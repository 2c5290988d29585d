import pc from 'picocolors';
import type { Colors } from 'picocolors/types.js';

/**
 * Where commands speak. Results go to stdout; progress goes to stderr and only on a terminal,
 * so scripts and CI logs see nothing but results.
 */
export interface Output {
  print(text: string): void;
  /** Bytes to stdout as they are (a patch, whose files may be in any encoding). */
  write(bytes: Uint8Array): void;
  /** One line for a person on stderr: errors and warnings. */
  error(text: string): void;
  progress(message: string): void;
  /** A bar on one stderr line that redraws itself (only on a terminal): `done` of `total` things. */
  progressBar(done: number, total: number, label: string): void;
  readonly color: boolean;
}

export function terminalOutput(): Output {
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  return {
    color,
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    write: (bytes) => process.stdout.write(bytes),
    error: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    progress: (message) => {
      if (process.stderr.isTTY) process.stderr.write(`${pc.dim(`${message}…`)}\n`);
    },
    progressBar: (done, total, label) => {
      if (!process.stderr.isTTY) return;
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      // \r and "erase to the end of the line" (ESC [ K): the bar redraws in place; the last one is erased.
      const line = done >= total ? '' : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`;
      process.stderr.write(`\r\x1b[K${line}`);
    },
  };
}

export function paint(output: Output): Colors {
  return pc.createColors(output.color);
}
