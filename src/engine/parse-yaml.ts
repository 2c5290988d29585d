import { parseDocument } from 'yaml';
import type * as z from './schema.js';
import { UserError } from './user-error.js';

/** Parses YAML text and checks it against a schema; any problem is a UserError naming the file. */
export function parseYamlWith<T>(text: string, schema: z.ZodMiniType<T, unknown>, fileName: string): T {
  const doc = parseDocument(text, { prettyErrors: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    throw new UserError(`${fileName} is not valid YAML: ${yamlError.message}`);
  }
  const result = schema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const issues = result.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
      .join('; ');
    throw new UserError(`${fileName} is invalid: ${issues}`);
  }
  return result.data;
}
