import { lstat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ANSWERS_FILES, parseAnswersFile, type AnswersFile } from '../engine/answers-document.js';
import { ANSWERS_FILE, type Answers } from '../engine/answers-file.js';
import { CRUFT_FILE } from '../engine/cruft-file.js';
import { REGULAR, type FileEntry } from '../engine/file-map.js';
import { planWrites } from '../engine/plan-update.js';
import { templateCopies, type TemplateCopy } from '../engine/template-copies.js';
import { UserError } from '../engine/user-error.js';
import { LocalCheckout, nearestFolderHoldingOneOf, type FolderStatus } from '../git/local-checkout.js';
import { prepareUpdate, type PreparedUpdate } from '../workflows/prepare-update.js';
import { recordedAnswers } from '../workflows/recorded-answers.js';
import { hooksPolicy, merger, openTemplate, rendererOf, type CliEnvironment } from './environment.js';
import type { Output } from './output.js';

export interface ServiceRepository {
  readonly checkout: LocalCheckout;
  /** The native answers file, or cruft's `.cruft.json` in a repository cruft manages. */
  readonly answersFile: AnswersFile;
  readonly answers: Answers;
  readonly answersText: string;
}

/**
 * The service `dir` belongs to (the nearest folder at or above it with an answers file, or a
 * `.cruft.json`, within its git repository), its answers file read and checked. In one folder
 * the native answers file wins over `.cruft.json`.
 */
export async function loadServiceRepository(dir: string | undefined, environment: CliEnvironment): Promise<ServiceRepository> {
  const start = resolve(environment.cwd, dir ?? '.');
  const nearest = await nearestFolderHoldingOneOf(start, ANSWERS_FILES);
  const checkout = new LocalCheckout(nearest?.dir ?? start, nearest?.place);
  const answersText = nearest === undefined ? undefined : await checkout.readText(nearest.path);
  if (nearest === undefined || answersText === undefined) {
    throw new UserError(`${start} has no ${ANSWERS_FILE}, and neither has any folder above it; run \`template-drift init\` on the service's folder first (nor is there a ${CRUFT_FILE})`);
  }
  const answersFile = nearest.path as AnswersFile;
  return { checkout, answersFile, answers: parseAnswersFile(answersFile, answersText), answersText };
}

/** What `check`, `diff` and `update` take from their flags to decide the update. */
export interface UpdateFlags {
  readonly to?: string;
  readonly var?: Record<string, string>;
  readonly allowDowngrade?: boolean;
  /** `--trust`: run the template's hooks. */
  readonly trust?: boolean;
}

/** What `update` has already asked of the checkout, and what must pass before the template is fetched. */
export interface LocalUpdateContext {
  readonly status?: Promise<FolderStatus>;
  readonly beforeFetch?: () => Promise<void>;
}

/**
 * The update of a local checkout to `--to` (or the latest release), computed but not written.
 * Its base is rendered with the answers recorded in the answers file's git history.
 */
export async function prepareLocalUpdate(
  service: ServiceRepository,
  flags: UpdateFlags,
  environment: CliEnvironment,
  output: Output,
  local: LocalUpdateContext = {},
): Promise<PreparedUpdate> {
  // Independent reads run at the same time (the template's release list, the answers' history,
  // the repository's name); their failures are reported in the order they were before.
  const opening = openTemplate(service.answers.template, service.checkout.dir, environment, output, local.beforeFetch).then(({ repository }) => {
    if (flags.to === undefined) repository.tags().catch(() => undefined);
    return repository;
  });
  const history = recordedAnswers(service.answers, service.checkout.fileHistory(service.answersFile), (text) => parseAnswersFile(service.answersFile, text));
  const naming = service.checkout.identity();
  for (const pending of [history, naming]) pending.catch(() => undefined);
  const repository = await opening;
  const recorded = await history;
  const repo = await naming;
  return prepareUpdate({
    template: repository,
    answers: service.answers,
    answersText: service.answersText,
    answersFile: service.answersFile,
    hooks: hooksPolicy(environment, flags.trust),
    ...(flags.to !== undefined && { targetRef: flags.to }),
    ...(flags.allowDowngrade !== undefined && { allowDowngrade: flags.allowDowngrade }),
    ...(flags.var && { overrides: flags.var }),
    recorded,
    repo,
    readOurs: async (paths) => service.checkout.readFiles(paths, await local.status),
    merger,
    render: rendererOf(environment),
  });
}

export interface UpdateFiles {
  readonly writes: Map<string, FileEntry>;
  readonly deletes: string[];
  /** The template's side of conflicts that keep the local file (the unblocked ones are among `writes`). */
  readonly copies: readonly TemplateCopy[];
}

/**
 * Everything applying `update` writes and deletes in the service's folder: the plan's files, the
 * answers file, and beside each conflict kept local the template's version. `update` writes
 * exactly this and `diff` prints exactly this, so the printed patch is the update.
 */
export async function updateFiles(service: ServiceRepository, update: PreparedUpdate): Promise<UpdateFiles> {
  const { writes, deletes } = planWrites(update.changes);
  if (update.answersText !== service.answersText) {
    writes.set(service.answersFile, { content: Buffer.from(update.answersText), mode: REGULAR });
  }
  const copies = await templateCopiesFor(service, update);
  for (const copy of copies) if (!copy.blocked) writes.set(copy.path, copy.entry);
  return { writes, deletes, copies };
}

/** The copies of the template's side of conflicts kept local, blocked where something already is on disk. */
export async function templateCopiesFor(service: ServiceRepository, update: PreparedUpdate): Promise<TemplateCopy[]> {
  const candidates = templateCopies(update.changes);
  const present = await Promise.all(candidates.map((copy) => lstat(join(service.checkout.dir, copy.path)).then(() => copy.path, () => undefined)));
  return templateCopies(update.changes, new Set(present.filter((path) => path !== undefined)));
}
