CREATE TABLE `mirror_fetches` (
	`key` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`lease_until` integer DEFAULT 0 NOT NULL,
	`until` integer DEFAULT 0 NOT NULL,
	`error` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mirror_upstreams` (
	`id` text PRIMARY KEY NOT NULL,
	`window_start` integer DEFAULT 0 NOT NULL,
	`window_count` integer DEFAULT 0 NOT NULL,
	`blocked_until` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `items` ADD `mirror` text;--> statement-breakpoint
ALTER TABLE `items` ADD `mirror_latest_checked_at` integer;--> statement-breakpoint
ALTER TABLE `versions` ADD `provenance` text;--> statement-breakpoint
ALTER TABLE `versions` ADD `mirror_checked_at` integer;--> statement-breakpoint
CREATE INDEX `versions_mirror_check` ON `versions` (`mirror_checked_at`) WHERE "versions"."mirror_checked_at" IS NOT NULL;