// What a page shows for a version whose docs are not readable yet (pending) or could not be derived (failed).
import { ApiError } from "../http/api-error";
import type { VersionDocs } from "../api-docs/routes";
import { h, type RawHtml } from "./jsx";

export type DocsUnavailable = "pending" | "failed";

/** Waits for a version's docs: undefined once they are readable, else why not (any other failure is the page's). */
export async function docsUnavailable(ready: Promise<VersionDocs>): Promise<DocsUnavailable | undefined> {
  try {
    await ready;
    return undefined;
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) return "pending";
    if (error instanceof ApiError && error.status === 422) return "failed";
    throw error;
  }
}

export function DocsNotice({ status }: { status: DocsUnavailable }): RawHtml {
  return status === "pending" ? (
    <p class="banner" role="status">
      Documentation is being generated from this version's schema. The README, installation text and API reference appear here once it is ready; reload in a few seconds.
    </p>
  ) : (
    <p class="banner warn" role="status">
      The documentation of this version could not be generated from its schema. The package can still be installed; the registry's operator can generate it again.
    </p>
  );
}
