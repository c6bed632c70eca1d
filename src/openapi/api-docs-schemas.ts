// zod schemas of the package documentation routes (readme, installation, nav, docs/{token}, examples): their query and answers.
import { z } from "zod";
import { OSES } from "../api-docs/content";
import { LANGUAGES } from "../api-docs/languages";
import { component } from "./schema-kit";

export { ContentQuery, DocsQuery, ExamplesQuery, NavQuery } from "../api-docs/query";

const perLanguage = <T extends z.ZodType>(value: T) => z.strictObject(Object.fromEntries(LANGUAGES.map((l) => [l, value])) as Record<(typeof LANGUAGES)[number], T>);
const PerLanguageText = component("PerLanguageText", perLanguage(z.string()).describe("one text per SDK language"));

export const ContentNode = component(
  "ContentNode",
  z
    .strictObject({
      kind: z.enum(["text", "language-chooser", "os-chooser"]).describe("a client renders `markdown` for a kind it does not know"),
      markdown: z.string(),
      options: z.array(z.strictObject({ content: z.string(), language: z.enum(LANGUAGES).optional(), os: z.enum(OSES).optional() })).optional(),
    })
    .describe("a block of a README or description; choosers carry one option per language or OS"),
);

export const ContentAnswer = component(
  "PackageContent",
  z.strictObject({
    content: z.array(ContentNode),
    version: z.string(),
    navUrl: z.url(),
    language: z.enum(LANGUAGES).optional(),
    os: z.enum(OSES).optional(),
  }),
);

const NavItem = z.strictObject({ name: z.string(), token: z.string() });

export const NavAnswer = component(
  "PackageNav",
  z.strictObject({
    source: z.string(),
    publisher: z.string(),
    name: z.string(),
    version: z.string(),
    title: z.string(),
    description: z.string().min(1).optional(),
    language: z.enum(LANGUAGES).optional(),
    packageVersionUrl: z.url(),
    readmeUrl: z.url(),
    installationUrl: z.url().optional(),
    docsUrlTemplate: z.string().describe("a URL with {token} to replace by a percent-encoded resource or function token"),
    modules: z.array(
      z.strictObject({
        name: z.string().describe("a flat path such as s3 or s3/bucket"),
        resourcesTotal: z.int().min(0),
        functionsTotal: z.int().min(0),
        resources: z.array(NavItem).optional().describe("only with depth=full"),
        functions: z.array(NavItem).optional().describe("only with depth=full"),
      }),
    ),
    modulesTotal: z.int().min(0).describe("the modules answered; when modules lists only part of them (more than 300 without q, or a continuation), the package's modules that have members"),
    modulesNextUrl: z.url().optional().describe("only when modules lists part of them and more follow: the answer that continues the list (`after=` the last module listed)"),
    matchesTotal: z
      .int()
      .min(0)
      .optional()
      .describe("with q, only when the answer lists part of the matches (a big package is searched through its index, at most 200 matches listed): the members that match, or at least that many when matchesComplete is false"),
    matchesComplete: z.literal(false).optional().describe("with matchesTotal: the search stopped at its caps, more members may match; a longer q narrows it"),
  }),
);

const Property = component(
  "PackageProperty",
  z.strictObject({
    name: PerLanguageText,
    description: PerLanguageText,
    type: PerLanguageText,
    required: z.boolean(),
    replaceOnChanges: z.boolean(),
    deprecated: z.string().optional(),
    typeRef: z.strictObject({ token: z.string(), package: z.string().optional(), version: z.string().optional() }).optional(),
  }),
);

export const DocsAnswer = component(
  "PackageDocs",
  z.strictObject({
    version: z.string(),
    navUrl: z.url(),
    token: z.string(),
    typeToken: z.string().describe("the same as token: the newest SDK's name for it"),
    kind: z.enum(["resource", "function"]),
    language: z.enum(LANGUAGES),
    name: PerLanguageText,
    description: z.array(ContentNode),
    constructorSyntax: z
      .array(ContentNode)
      .optional()
      .describe(
        "resources only: how to declare the resource in the answer's language (TypeScript, Python, Go, C#, Java or YAML), with the language's names for it and its input properties and a placeholder value of each property's type, as one fenced code block",
      ),
    inputs: z.array(Property),
    outputs: z.array(Property),
    supportingTypes: z.array(
      z.strictObject({
        token: z.string(),
        kind: z.enum(["object", "enum"]),
        name: PerLanguageText,
        properties: z.array(Property).optional(),
        propertiesTotal: z.int().min(0).optional().describe("only when properties lists the first of them: how many the type has"),
        values: z.array(z.strictObject({ name: PerLanguageText, value: z.unknown(), description: PerLanguageText })).optional(),
        valuesTotal: z.int().min(0).optional().describe("only when values lists the first of them: how many the enum has"),
      }),
    ),
    inputsTotal: z.int().min(0).optional().describe("only when inputs lists the first of them (a huge entry): how many the entry has"),
    outputsTotal: z.int().min(0).optional().describe("only when outputs lists the first of them: how many the entry has"),
    supportingTypesTotal: z.int().min(0).optional().describe("only when supportingTypes lists the first of them and the total is known: how many types the entry reaches"),
    truncated: z
      .strictObject({ notice: z.string().describe("what was left out, in words"), schemaUrl: z.url().describe("the version's schema download, which holds the whole entry") })
      .optional()
      .describe("only when the entry is too large to answer whole: lists are cut to their first items and long descriptions shortened (docs/route-budgets.md)"),
  }),
);

export const ExamplesAnswer = component(
  "PackageExamples",
  z.strictObject({
    version: z.string(),
    navUrl: z.url(),
    language: z.enum(LANGUAGES),
    totalCount: z.int().min(0).describe("after q, before limit"),
    examples: z.array(z.strictObject({ id: z.string().describe("<token>#<slug>"), title: z.string(), code: z.string(), token: z.string(), kind: z.enum(["resource", "function"]) })),
    totalCountComplete: z
      .literal(false)
      .optional()
      .describe("only for a package whose examples are more than one answer reads (1 MiB of the example index): the examples were chosen and counted among the first ones, in token order"),
  }),
);

/** The docs answers as the routes give them (typed from the schemas the API description is built from). */
export type ContentAnswerJson = z.infer<typeof ContentAnswer>;
export type NavAnswerJson = z.infer<typeof NavAnswer>;
export type DocsAnswerJson = z.infer<typeof DocsAnswer>;
export type SupportingTypeJson = DocsAnswerJson["supportingTypes"][number];
export type PropertyJson = DocsAnswerJson["inputs"][number];
export type ExamplesAnswerJson = z.infer<typeof ExamplesAnswer>;

export const DocsJobReport = component(
  "DocsJobReport",
  z
    .strictObject({
      status: z.enum(["pending", "ready", "failed"]).describe("the version's docs status, as its `docs.status` says"),
      job: z
        .strictObject({
          attempt: z.int().min(1),
          status: z.enum(["pending", "done", "failed"]),
          stepsDone: z.int().min(0),
          stepRuns: z.int().min(0).describe("steps started in this attempt, re-runs after a crash or failure included"),
          error: z.string().optional().describe("the last step's error"),
          updatedAt: z.iso.datetime(),
        })
        .optional()
        .describe("absent for a version whose docs were derived before derivations became durable jobs"),
    })
    .describe("a version's docs derivation"),
);
