import { UserError } from '../engine/user-error.js';

/** Commander's collector for repeated `--var k=v` flags. */
export function collectVar(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new UserError(`--var takes name=value, not "${value}"`);
  return { ...previous, [value.slice(0, equals)]: value.slice(equals + 1) };
}
