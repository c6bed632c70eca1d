// Renderings the pages store beside a version's texts (src/web/rendered-content.ts) are not in the
// version's artifact map, so deleting the version or its item removes them here, by the version's (or
// item's) key prefix: only keys inside a `rendered/` folder, nothing a publish wrote.
import type { PublishedIdentity } from "./storage-keys";

/** The folder segment renderings are stored under, beside the text they render. */
export const RENDERED_FOLDER = "rendered/";

/** Deletes every stored rendering under `prefix` (a version's or an item's folder). */
export async function deleteRenderings(bucket: R2Bucket, prefix: string): Promise<number> {
  let cursor: string | undefined;
  let deleted = 0;
  do {
    const page = await bucket.list({ prefix, cursor });
    const keys = page.objects.map((o) => o.key).filter((key) => key.includes(`/${RENDERED_FOLDER}`));
    if (keys.length) await bucket.delete(keys);
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** The folder of every publish of one version (`version` as published), or of the whole item without one: publishedPrefix's leading part. */
export function publishedFolder(id: Omit<PublishedIdentity, "version"> & { version?: string }): string {
  return `${id.kind}s/${id.source}/${id.publisher}/${id.canonicalName}/${id.version === undefined ? "" : `${id.version}/`}`;
}
