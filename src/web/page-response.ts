// HTML responses: a rendered document with the security headers every page carries.
import { renderDocument, type RawHtml } from "./jsx";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' https:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

export interface PageOptions {
  status?: number;
  /** Signed-in pages: never stored by a shared cache, nor by the browser. */
  personal?: boolean;
  headers?: Record<string, string>;
}

export function securityHeaders(headers: Headers): void {
  headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  headers.set("X-Content-Type-Options", "nosniff");
  // Page URLs can name private packages: other sites (a logo's host, a README link) never see them.
  headers.set("Referrer-Policy", "same-origin");
  headers.set("X-Frame-Options", "DENY");
}

export function htmlResponse(document: RawHtml, options: PageOptions = {}): Response {
  const headers = new Headers(options.headers);
  headers.set("Content-Type", "text/html; charset=utf-8");
  securityHeaders(headers);
  if (options.personal) headers.set("Cache-Control", "private, no-store");
  return new Response(renderDocument(document), { status: options.status ?? 200, headers });
}
