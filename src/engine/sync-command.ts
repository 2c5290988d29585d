/** `/sync-template [REF]` as the first word of a line in a comment. */
export interface SyncCommand {
  readonly ref?: string;
}

const COMMAND = /^\/sync-template(?:[ \t]+(\S+))?[ \t]*$/m;

/**
 * Finds the command in comment text (untrusted): only a line that is exactly the command, with at
 * most one argument. The ref is checked by the caller like any other ref before git sees it.
 */
export function parseSyncCommand(body: string | null | undefined): SyncCommand | undefined {
  const match = body ? COMMAND.exec(body.replace(/\r\n/g, '\n')) : null;
  if (!match) return undefined;
  return match[1] ? { ref: match[1] } : {};
}
