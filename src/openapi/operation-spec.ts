// The shape of an entry of the OpenAPI operation table (src/openapi/operations.ts). Its own file so the
// features that contribute entries (plugins, policy packs, the mirror) declare theirs with it without
// importing the table that imports them.
import type { z } from "zod";

export type HttpMethod = "get" | "post" | "put" | "delete";
export type DocumentName = "client" | "admin";
/** none: no Authorization read; optional: anonymous or an org token; org: an org token; admin: ADMIN_TOKEN (or an org's admin token where said). */
export type Auth = "none" | "optional" | "org" | "admin";

export interface ResponseSpec {
  description: string;
  /** A JSON body of this shape. */
  json?: z.ZodType;
  /** Also (or only) `text/markdown`; `pulumi api` asks for markdown only where this is declared. */
  markdown?: boolean;
  /** Raw bytes of this media type (artifact downloads). */
  bytes?: string;
}

export interface OperationSpec {
  document: DocumentName;
  method: HttpMethod;
  /** OpenAPI path template: `/api/registry/packages/{source}/…`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: Auth;
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, ResponseSpec>;
}
