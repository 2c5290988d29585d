import { createHash } from 'node:crypto';

/**
 * Git's object id for a blob with these bytes (what `git hash-object` prints), computed here so
 * that a rendered file can be compared with a repository's tree without writing it to disk or
 * downloading the repository's copy: equal ids mean equal bytes.
 */
export function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}
