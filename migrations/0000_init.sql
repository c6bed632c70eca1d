CREATE TABLE `items` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`source` text NOT NULL,
	`publisher` text NOT NULL,
	`name` text NOT NULL,
	`canonical_name` text NOT NULL,
	`owner_org` text NOT NULL,
	`visibility` text NOT NULL,
	`featured` integer DEFAULT false NOT NULL,
	`backing` text DEFAULT 'registry' NOT NULL,
	`latest_version_id` text,
	`latest_created_at` text,
	`search_text` text DEFAULT '' NOT NULL,
	`vcs` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `items_identity_unique` ON `items` (`kind`,`source`,`publisher`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `items_by_name` ON `items` (`kind`,`canonical_name`,`source`,`publisher`);--> statement-breakpoint
CREATE INDEX `items_by_publisher` ON `items` (`kind`,`publisher`,`source`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `items_by_created` ON `items` (`kind`,`latest_created_at`,`source`,`publisher`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `items_by_owner` ON `items` (`kind`,`owner_org`,`canonical_name`);--> statement-breakpoint
CREATE TABLE `orgs` (
	`login` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`org_login` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text NOT NULL,
	`description` text,
	`created_at` text NOT NULL,
	`expires_at` text,
	`revoked_at` text,
	`last_used_at` text,
	FOREIGN KEY (`org_login`) REFERENCES `orgs`(`login`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_hash_unique` ON `tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `tokens_org_idx` ON `tokens` (`org_login`,`created_at`);--> statement-breakpoint
CREATE TABLE `versions` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`version` text NOT NULL,
	`precedence_key` text NOT NULL,
	`prerelease` integer NOT NULL,
	`retired` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`metadata` text NOT NULL,
	`artifacts` text NOT NULL,
	`search_text` text DEFAULT '' NOT NULL,
	`operation_id` text NOT NULL,
	`retired_at` text,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `versions_precedence_unique` ON `versions` (`item_id`,`precedence_key`);--> statement-breakpoint
CREATE INDEX `versions_live` ON `versions` (`item_id`,`retired`,`prerelease`,`precedence_key`);