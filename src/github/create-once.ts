/**
 * A create that GitHub may have performed although it failed: a 5xx answer, or a connection
 * that dropped or timed out (Octokit reports those as status 500 too). The retry plugin does not
 * resend such POSTs (src/app/octokit.ts); this looks for what the create would have made (a
 * hidden marker, a title, a branch's PR) and sends it once more only when nothing is there.
 * A create that lands after the look (a request GitHub still had in hand) can still make a
 * second one; GitHub's REST API offers no idempotency key to close that window.
 */
export async function createOnce<T>(create: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!mayHaveBeenPerformed(error)) throw error;
    const found = await find();
    return found ?? create();
  }
}

/** 5xx, including Octokit's 500 for a network failure: GitHub may or may not have done it. */
function mayHaveBeenPerformed(error: unknown): boolean {
  const status = statusOf(error);
  return status !== undefined && status >= 500;
}

export function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
}
