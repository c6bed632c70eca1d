// Path segments to a typed identity: the kind's known sources, one decode, the segment rules; 400/404 otherwise.
import { ApiError, badRequest, notFound } from "../http/api-error";
import type { AnyKind, RouteParams } from "./kind";
import { canonicalName, decodeSegment, printable } from "./vocabulary/names";
import { describeIdentity, type Identity } from "./vocabulary/identity";


export function decodeOnce(raw: string | undefined, what: string): string {
  try {
    return decodeURIComponent(raw ?? "");
  } catch {
    throw badRequest(`invalid ${what}: malformed percent-encoding`);
  }
}

/** Unknown source → 404 (spec §2), checked before the other segments. */
export function parseSource(kind: AnyKind, raw: string | undefined): string {
  const source = decodeOnce(raw, "source");
  if (!kind.knownSources.includes(source)) throw notFound(`unknown ${kind.noun} source '${printable(source)}'`);
  return source;
}

export function parseIdentity(kind: AnyKind, params: RouteParams): Identity {
  const source = parseSource(kind, params.source);
  const publisher = decodeSegment(params.publisher, "publisher");
  const name = decodeSegment(params.name, "name");
  return { kind: kind.kind, source, publisher, name, canonicalName: canonicalName(name) };
}

export function versionNotFound(id: Identity, version: string): ApiError {
  return notFound(`${describeIdentity(id, version)} not found`);
}
