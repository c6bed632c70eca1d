ALTER TABLE `tokens` ADD `parent_token_id` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `mac_key_id` text;--> statement-breakpoint
CREATE INDEX `tokens_parent_idx` ON `tokens` (`parent_token_id`);