import { isCookiecutterTemplate } from '../engine/cookiecutter/cookiecutter-template.js';
import type { FileMap } from '../engine/file-map.js';
import type { RenderedSnapshot, SnapshotInput } from '../engine/render-snapshot.js';
import { MANIFEST_FILE, type AnswerValue } from '../engine/template-manifest.js';
import type { ResolvedRef, TemplateRepository } from '../git/template-store.js';

/**
 * What rendering one template version needs from the template's repository: its files and, for
 * a cookiecutter template (whose files do not name it, and whose `{% now %}` is the commit's
 * date), the name, the source and the commit date.
 */
export async function templateVersion(
  template: TemplateRepository, version: ResolvedRef, read?: FileMap,
): Promise<Pick<SnapshotInput, 'files' | 'ref' | 'committedAt' | 'templateName' | 'templateSource'>> {
  const files = read ?? (await template.read(version.commit));
  if (!isCookiecutter(files)) return { files, ref: version.ref };
  return {
    files,
    ref: version.ref,
    committedAt: await template.committedAt(version.commit),
    templateName: templateName(template),
    templateSource: template.location.display,
  };
}

/** A cookiecutter template, rendered as one: cookiecutter.json and no template.yml (which wins when both are there). */
export function isCookiecutter(files: FileMap): boolean {
  return !files.has(MANIFEST_FILE) && isCookiecutterTemplate(files);
}

/** The answers a repository records: cookiecutter's private `_` variables are the template's, not the repository's. */
export function recordedVariables(snapshot: RenderedSnapshot): Record<string, AnswerValue> {
  const values = Object.entries(snapshot.variables.values);
  return Object.fromEntries(snapshot.dialect === 'cookiecutter' ? values.filter(([name]) => !name.startsWith('_')) : values);
}

/** The template repository's name, as cruft and people call a cookiecutter template. */
export function templateName(template: TemplateRepository): string {
  const last = template.location.display.replace(/\/+$/, '').split(/[/:]/).pop() ?? 'template';
  return last.replace(/\.git$/, '') || 'template';
}
