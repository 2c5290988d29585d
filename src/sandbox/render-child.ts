/**
 * The render process: renders one cookiecutter template version and exits. The request comes
 * on standard input and the answer goes to standard output, both v8-serialized (file maps hold
 * Buffers); nothing else is written there. src/sandbox/render-process.ts starts it with its
 * memory limit and watches its clock.
 */
import { deserialize, serialize } from 'node:v8';
import { renderCookiecutterVersion } from '../engine/cookiecutter/cookiecutter-snapshot.js';
import { JinjaTrapError } from '../engine/cookiecutter/jinja-trap.js';
import { RenderLimitError } from '../engine/render-budget.js';
import { isUserError } from '../engine/user-error.js';
import type { SnapshotInput } from '../engine/render-snapshot.js';
import type { RenderAnswer, RenderFailure } from './render-messages.js';

// minijinja prints a panic's message through console.error before it traps; a trap with no such
// message is a failed allocation, which the memory limit causes.
let panicked = false;
const printError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  panicked = true;
  printError(...args);
};

function failureOf(error: unknown): RenderFailure {
  if (error instanceof JinjaTrapError && !panicked) return { kind: 'memory', source: error.source };
  if (error instanceof RangeError && /allocation failed|Invalid (string|array|typed array) length/i.test(error.message)) return { kind: 'memory' };
  if (error instanceof RenderLimitError) return { kind: 'limit', message: error.message };
  if (isUserError(error)) return { kind: 'user', message: error.message };
  const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
  return { kind: 'bug', message, ...(stack !== undefined && { stack }) };
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = deserialize(Buffer.concat(chunks)) as SnapshotInput;
  let answer: RenderAnswer;
  try {
    answer = { render: renderCookiecutterVersion(input) };
  } catch (error) {
    answer = { failure: failureOf(error) };
  }
  process.stdout.write(serialize(answer));
}

// A function, not top-level await: the bundled CLI's copy of this file is a CommonJS script.
void main();
