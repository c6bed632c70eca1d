ALTER TABLE `items` ADD `category` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `items_by_category_name` ON `items` (`kind`,`category`,`canonical_name`,`source`,`publisher`);--> statement-breakpoint
CREATE INDEX `items_by_category_publisher` ON `items` (`kind`,`category`,`publisher`,`source`,`canonical_name`);--> statement-breakpoint
ALTER TABLE `latest_history` ADD `category` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `latest_history_by_category` ON `latest_history` (`kind`,`category`,`latest_created_at`,`source`,`publisher`,`canonical_name`);--> statement-breakpoint
-- Backfill: each package's category is its latest version's, as extracted at complete (metadata.category).
UPDATE `items` SET `category` = coalesce((SELECT json_extract(`versions`.`metadata`, '$.category') FROM `versions` WHERE `versions`.`id` = `items`.`latest_version_id`), '') WHERE `kind` = 'package';--> statement-breakpoint
UPDATE `latest_history` SET `category` = coalesce((SELECT `items`.`category` FROM `items` WHERE `items`.`id` = `latest_history`.`item_id`), '') WHERE `kind` = 'package';
