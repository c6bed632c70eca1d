CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`org` text,
	`actor_kind` text NOT NULL,
	`actor_org` text,
	`actor_token_id` text,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`version` text,
	`outcome` integer NOT NULL,
	`request_id` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_by_org` ON `audit_log` (`org`,`id`);--> statement-breakpoint
CREATE INDEX `audit_by_action` ON `audit_log` (`action`,`id`);--> statement-breakpoint
CREATE INDEX `audit_by_target` ON `audit_log` (`target`,`id`);--> statement-breakpoint
CREATE INDEX `audit_by_time` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event` text NOT NULL,
	`attempt` integer NOT NULL,
	`outcome` text NOT NULL,
	`status` integer,
	`error` text,
	`retry_delay_seconds` integer,
	`duration_ms` integer,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_by_hook` ON `webhook_deliveries` (`webhook_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`org_login` text NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`secret_salt` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`org_login`) REFERENCES `orgs`(`login`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhooks_by_org` ON `webhooks` (`org_login`,`created_at`);--> statement-breakpoint
ALTER TABLE `items` ADD `deprecation` text;--> statement-breakpoint
ALTER TABLE `versions` ADD `deprecation` text;