/**
 * The URLs the local GitHub hands out, laid out as GitHub Enterprise Server does: web pages and
 * git at the host's root, the REST API under /api/v3.
 */
export class Urls {
  /** Set once the server listens (the port is only known then). */
  constructor(public base: string) {}

  get api(): string {
    return `${this.base}/api/v3`;
  }

  repoApi(owner: string, name: string): string {
    return `${this.api}/repos/${owner}/${name}`;
  }

  repoHtml(owner: string, name: string): string {
    return `${this.base}/${owner}/${name}`;
  }

  cloneUrl(owner: string, name: string): string {
    return `${this.base}/${owner}/${name}.git`;
  }
}

/** GitHub's global node ids are opaque strings; tests only need them unique and stable. */
export function nodeId(kind: string, id: number): string {
  return Buffer.from(`${kind}:${id}`).toString('base64').replace(/=+$/, '');
}
