// Reading what a template version's complete derived (template-kind.ts, TEMPLATE_DERIVED): its file list and
// its README as content nodes. Versions stored before these existed have neither: their README is parsed
// from the stored file when asked (bounded: a README is at most 5 MiB, checked at publish), and their file
// list is unavailable (the page says so) rather than computed by reading the whole archive on a page view.
import type { CatalogEntry } from "../core/vocabulary/catalog-entry";
import { parseContent, type ContentNode } from "../api-docs/content";
import { TEMPLATE_DERIVED } from "./template-kind";
import { parseFileList, type FileList } from "./file-list";

function artifactsOf(entry: CatalogEntry): Record<string, string> {
  return entry.version ? (JSON.parse(entry.version.artifacts) as Record<string, string>) : {};
}

/** The stored file list, or undefined when the version has none (stored before lists were kept). */
export async function templateFileList(bucket: R2Bucket, entry: CatalogEntry): Promise<FileList | undefined> {
  const key = artifactsOf(entry)[TEMPLATE_DERIVED.files];
  const object = key ? await bucket.get(key) : null;
  return object ? parseFileList(await object.text()) : undefined;
}

/** The README as content nodes, or undefined when the version's archive has no root README. */
export async function templateReadmeNodes(bucket: R2Bucket, entry: CatalogEntry): Promise<ContentNode[] | undefined> {
  const artifacts = artifactsOf(entry);
  const derived = artifacts[TEMPLATE_DERIVED.readmeContent];
  if (derived) {
    const object = await bucket.get(derived);
    if (object) return (await object.json()) as ContentNode[];
  }
  const raw = artifacts.readme ? await bucket.get(artifacts.readme) : null;
  return raw ? parseContent(await raw.text()) : undefined;
}
