// What the API answers for a template (Template), as a zod schema: the OpenAPI document is built from it, and
// the template view and the pages are typed by it.
import { z } from "zod";
import { TEMPLATE_SOURCES } from "../identity/rights";
import { VISIBILITIES } from "../core/visibility";
import { component, Deprecation, text, timestamp, url } from "../openapi/schema-kit";
import { ContentNode } from "../openapi/api-docs-schemas";
import { OSES } from "../api-docs/content";
import { LANGUAGES } from "../api-docs/languages";

export const Template = component(
  "Template",
  z.strictObject({
    name: text(),
    publisher: text(),
    source: z.enum(TEMPLATE_SOURCES),
    version: text().optional().describe("absent for VCS-backed templates, which have no versions"),
    displayName: text(),
    description: text().optional(),
    runtime: z.strictObject({ name: text(), options: z.record(z.string(), z.unknown()).optional() }).optional(),
    language: text().describe("typescript, javascript, python, go, dotnet, java, yaml or unknown; as registered for VCS-backed templates"),
    readmeURL: url().optional().describe("the README as stored (…/versions/{version}/raw/readme); …/readme answers it as content nodes"),
    downloadURL: url(),
    repoSlug: text().optional().describe("VCS-backed templates only"),
    visibility: z.enum(VISIBILITIES),
    updatedAt: timestamp(),
    metadata: z.record(z.string(), z.string()).optional(),
    config: z
      .record(z.string(), z.strictObject({ description: z.string().optional(), default: z.unknown().optional(), secret: z.boolean().optional() }))
      .optional(),
    url: text().describe("registry://templates/{source}/{publisher}/{name}[@{version}]"),
    deprecation: Deprecation.optional(),
  }),
);

/** A template as the API answers it. */
export type TemplateAnswer = z.infer<typeof Template>;
/** What the template kind's view makes of an entry; the API adds the deprecation in force. */
export type TemplateView = Omit<TemplateAnswer, "deprecation">;

/** GET …/templates/{source}/{publisher}/{name}/versions/{version}/readme as JSON (the current API's template readme route). */
export const TemplateReadme = component(
  "TemplateReadme",
  z.strictObject({
    version: text(),
    language: z.enum(LANGUAGES).optional().describe("the language the README's language choosers resolved to, when `lang` was given"),
    os: z.enum(OSES).optional().describe("the OS its OS choosers resolved to"),
    content: z.array(ContentNode),
  }),
);

export type TemplateReadmeAnswer = z.infer<typeof TemplateReadme>;
