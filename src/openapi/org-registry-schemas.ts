// zod schemas of an org's registry routes (package usage, audit log, webhooks): their query parameters and answers.
import { z } from "zod";
import { AUDIT_ACTIONS } from "../audit/audit-log";
import { AUDIT_TARGET_PATTERN } from "../audit/audit-routes";
import { webhookDeliveries } from "../db/schema";
import { WEBHOOK_EVENTS } from "../webhooks/webhook-events";
import { component, continuationToken, PageQuery, segment, text, timestamp } from "./schemas";

const lastPage = () => continuationToken.optional().describe("absent on the last page");

// ---- package usage ----

export const PackageUsageQuery = z.object({
  packageName: z
    .string()
    .min(1)
    .describe("required: 'name', 'publisher/name' or 'source/publisher/name'; the name matches on its canonical form"),
  version: z.string().optional().describe("only stacks on this SemVer 2.0 version"),
  ...PageQuery.shape,
});

export const PackageUsage = component(
  "PackageUsageResponse",
  z.strictObject({
    packageName: text().describe("as asked"),
    totalStacks: z.int().min(0).describe("stacks of the org using the package, over all pages"),
    stacks: z.array(
      z.strictObject({
        stackId: text().describe("org/project/stack"),
        stackName: text(),
        projectName: text(),
        version: text().optional().describe("absent when the stack did not say which version it uses"),
        lastUpdate: timestamp().describe("when the stack last reported its usage"),
      }),
    ),
    continuationToken: lastPage(),
  }),
);

// ---- audit log ----

export const AuditQuery = z.object({
  action: z.enum(AUDIT_ACTIONS).optional(),
  target: z.string().regex(AUDIT_TARGET_PATTERN).optional().describe("an entry's exact target, such as package/private/acme/vpc or webhook/wh_…"),
  since: z.iso.datetime({ offset: true }).optional().describe("RFC 3339; entries at or after"),
  until: z.iso.datetime({ offset: true }).optional().describe("RFC 3339; entries at or before; not before since"),
  ...PageQuery.shape,
});

export const AuditEntry = component(
  "AuditEntry",
  z.strictObject({
    id: text(),
    at: timestamp(),
    actor: z.union([
      z.strictObject({ kind: z.literal("token"), org: segment(), tokenId: text().describe("never the secret") }),
      z.strictObject({ kind: z.literal("operator").describe("the ADMIN_TOKEN") }),
    ]),
    org: segment().optional().describe("the organization the change concerns"),
    action: z.enum(AUDIT_ACTIONS),
    target: text(),
    version: text().optional(),
    outcome: z.int().min(200).max(299).describe("the HTTP status the change answered with"),
    requestId: text(),
    detail: z.record(z.string(), z.unknown()).optional(),
  }),
);

export const AuditPage = component(
  "ListAuditEntriesResponse",
  z.strictObject({ entries: z.array(AuditEntry).describe("newest first"), continuationToken: lastPage() }),
);

// ---- webhooks ----

const webhookFields = {
  id: text(),
  url: z.url(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1),
  createdAt: timestamp(),
};

export const Webhook = component("Webhook", z.strictObject(webhookFields).describe("never carries the secret"));

export const CreatedWebhook = component(
  "CreatedWebhook",
  z.strictObject({ ...webhookFields, secret: text().describe("the signing secret, shown this once") }),
);

export const WebhookList = component("ListWebhooksResponse", z.strictObject({ webhooks: z.array(Webhook).describe("oldest first") }));

export const WebhookDeliveries = component(
  "ListWebhookDeliveriesResponse",
  z.strictObject({
    deliveries: z
      .array(
        z.strictObject({
          eventId: text(),
          event: z.enum(WEBHOOK_EVENTS),
          attempt: z.int().min(1),
          outcome: z.enum(webhookDeliveries.outcome.enumValues).describe("failed: will be retried; dead_lettered: given up"),
          status: z.int().optional().describe("the receiver's HTTP status; absent when it could not be reached"),
          error: text().optional(),
          retryDelaySeconds: z.int().min(0).optional().describe("for failed: seconds until the next try"),
          durationMs: z.int().min(0).optional(),
          at: timestamp(),
        }),
      )
      .describe("one per attempt, newest first"),
    continuationToken: lastPage(),
  }),
);
