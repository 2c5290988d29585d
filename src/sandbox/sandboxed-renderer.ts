import type { FileMap } from '../engine/file-map.js';
import { renderLimits, type RenderLimits } from '../engine/render-budget.js';
import { cookiecutterVersionSnapshot, renderSnapshot, templateDialect, type SnapshotRenderer } from '../engine/render-snapshot.js';
import { found, SYSTEM_PATH } from '../hooks/confine-hook.js';
import { renderInChildProcess, renderMemoryBytes } from './render-process.js';

/**
 * How the app and the CLI render a template version: Handlebars here, where its limits hold
 * (its output is V8's heap, counted as it is produced), and cookiecutter in a render process of
 * its own (see render-process.ts), one per version: minijinja's WebAssembly memory is outside
 * V8's heap and outside its reach, so only a process boundary bounds it.
 */
export function sandboxedRenderer(limits: RenderLimits = renderLimits()): SnapshotRenderer {
  let prlimit: Promise<string | undefined> | undefined;
  return async (request) => {
    const input = { ...request, limits };
    if (templateDialect(request.files, request.ref) === 'handlebars') return renderSnapshot(input);
    prlimit ??= found('prlimit', SYSTEM_PATH);
    const command = await prlimit;
    const bounds = { memoryBytes: renderMemoryBytes(limits, bytesOf(request.files)), milliseconds: limits.maxMilliseconds, ...(command && { prlimit: command }) };
    return cookiecutterVersionSnapshot(await renderInChildProcess(input, bounds), request);
  };
}

function bytesOf(files: FileMap): number {
  let bytes = 0;
  for (const [path, entry] of files) bytes += path.length + entry.content.length;
  return bytes;
}
