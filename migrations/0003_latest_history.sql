CREATE TABLE `latest_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` text NOT NULL,
	`kind` text NOT NULL,
	`source` text NOT NULL,
	`publisher` text NOT NULL,
	`canonical_name` text NOT NULL,
	`latest_created_at` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `latest_history_walk` ON `latest_history` (`kind`,`latest_created_at`,`source`,`publisher`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `latest_history_item` ON `latest_history` (`item_id`,`valid_to`);--> statement-breakpoint
CREATE INDEX `versions_operation` ON `versions` (`operation_id`);--> statement-breakpoint
-- Hand-added backfill: every item with a live latest version gets its current history row.
INSERT INTO `latest_history` (`item_id`, `kind`, `source`, `publisher`, `canonical_name`, `latest_created_at`, `valid_from`)
SELECT `id`, `kind`, `source`, `publisher`, `canonical_name`, `latest_created_at`, 0 FROM `items`
WHERE `latest_version_id` IS NOT NULL AND `backing` = 'registry';
