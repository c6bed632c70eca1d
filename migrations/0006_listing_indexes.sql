DROP TABLE `catalog_state`;--> statement-breakpoint
DROP INDEX `items_by_created`;--> statement-breakpoint
DROP INDEX `items_by_owner`;--> statement-breakpoint
ALTER TABLE `items` ADD `package_types` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `items_by_publisher_name` ON `items` (`kind`,`publisher`,`canonical_name`,`source`);--> statement-breakpoint
CREATE INDEX `items_by_owner_publisher` ON `items` (`kind`,`owner_org`,`publisher`,`source`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `items_by_visibility_name` ON `items` (`kind`,`visibility`,`canonical_name`,`source`,`publisher`);--> statement-breakpoint
CREATE INDEX `items_by_visibility_publisher` ON `items` (`kind`,`visibility`,`publisher`,`source`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `items_bridged_by_name` ON `items` (`kind`,`canonical_name`,`source`,`publisher`) WHERE instr("items"."package_types", 'bridged') > 0;--> statement-breakpoint
CREATE INDEX `items_bridged_by_publisher` ON `items` (`kind`,`publisher`,`source`,`canonical_name`) WHERE instr("items"."package_types", 'bridged') > 0;--> statement-breakpoint
CREATE INDEX `items_component_by_name` ON `items` (`kind`,`canonical_name`,`source`,`publisher`) WHERE instr("items"."package_types", 'component') > 0;--> statement-breakpoint
CREATE INDEX `items_component_by_publisher` ON `items` (`kind`,`publisher`,`source`,`canonical_name`) WHERE instr("items"."package_types", 'component') > 0;--> statement-breakpoint
CREATE INDEX `items_native_by_name` ON `items` (`kind`,`canonical_name`,`source`,`publisher`) WHERE instr("items"."package_types", 'native') > 0;--> statement-breakpoint
CREATE INDEX `items_native_by_publisher` ON `items` (`kind`,`publisher`,`source`,`canonical_name`) WHERE instr("items"."package_types", 'native') > 0;--> statement-breakpoint
CREATE INDEX `items_by_owner` ON `items` (`kind`,`owner_org`,`canonical_name`,`source`,`publisher`);--> statement-breakpoint
ALTER TABLE `latest_history` ADD `owner_org` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `latest_history` ADD `visibility` text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE `latest_history` ADD `package_types` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `latest_history_by_name` ON `latest_history` (`kind`,`canonical_name`,`latest_created_at`,`source`,`publisher`);--> statement-breakpoint
CREATE INDEX `latest_history_by_publisher` ON `latest_history` (`kind`,`publisher`,`latest_created_at`,`source`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `latest_history_by_owner` ON `latest_history` (`kind`,`owner_org`,`latest_created_at`,`source`,`publisher`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `latest_history_by_visibility` ON `latest_history` (`kind`,`visibility`,`latest_created_at`,`source`,`publisher`,`canonical_name`);--> statement-breakpoint
CREATE INDEX `latest_history_bridged` ON `latest_history` (`kind`,`latest_created_at`,`source`,`publisher`,`canonical_name`) WHERE instr("latest_history"."package_types", 'bridged') > 0;--> statement-breakpoint
CREATE INDEX `latest_history_component` ON `latest_history` (`kind`,`latest_created_at`,`source`,`publisher`,`canonical_name`) WHERE instr("latest_history"."package_types", 'component') > 0;--> statement-breakpoint
CREATE INDEX `latest_history_native` ON `latest_history` (`kind`,`latest_created_at`,`source`,`publisher`,`canonical_name`) WHERE instr("latest_history"."package_types", 'native') > 0;--> statement-breakpoint
ALTER TABLE `versions` ADD `package_types` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Hand-added: backfills for the new copies, then the full-text index behind list `search`.
UPDATE `versions` SET `package_types` = coalesce((SELECT group_concat(`value`, ',') FROM (SELECT `value` FROM json_each(`versions`.`metadata`, '$.packageTypes') ORDER BY `value`)), '')
WHERE json_type(`metadata`, '$.packageTypes') = 'array';--> statement-breakpoint
UPDATE `versions` SET `search_text` = (SELECT lower(`i`.`name` || char(10) || `i`.`publisher`
  || coalesce(char(10) || json_extract(`versions`.`metadata`, '$.title'), '')
  || coalesce(char(10) || json_extract(`versions`.`metadata`, '$.description'), '')
  || coalesce(char(10) || json_extract(`versions`.`metadata`, '$.category'), '')) FROM `items` `i` WHERE `i`.`id` = `versions`.`item_id` AND `i`.`kind` = 'package')
WHERE `item_id` IN (SELECT `id` FROM `items` WHERE `kind` = 'package');--> statement-breakpoint
UPDATE `items` SET `package_types` = coalesce((SELECT `package_types` FROM `versions` WHERE `versions`.`id` = `items`.`latest_version_id`), ''),
  `search_text` = coalesce((SELECT `search_text` FROM `versions` WHERE `versions`.`id` = `items`.`latest_version_id`), `search_text`)
WHERE `latest_version_id` IS NOT NULL;--> statement-breakpoint
UPDATE `latest_history` SET `owner_org` = (SELECT `owner_org` FROM `items` WHERE `items`.`id` = `latest_history`.`item_id`),
  `visibility` = (SELECT `visibility` FROM `items` WHERE `items`.`id` = `latest_history`.`item_id`),
  `package_types` = coalesce((SELECT `package_types` FROM `items` WHERE `items`.`id` = `latest_history`.`item_id`), '')
WHERE `item_id` IN (SELECT `id` FROM `items`);--> statement-breakpoint
-- Trigram tokens: every term of 3+ characters is a case-insensitive substring match served by the index.
CREATE VIRTUAL TABLE `items_search` USING fts5(`search_text`, content='items', content_rowid='rowid', tokenize='trigram');--> statement-breakpoint
CREATE TRIGGER `items_search_insert` AFTER INSERT ON `items` BEGIN
  INSERT INTO `items_search`(`rowid`, `search_text`) VALUES (new.`rowid`, new.`search_text`);
END;--> statement-breakpoint
CREATE TRIGGER `items_search_delete` AFTER DELETE ON `items` BEGIN
  INSERT INTO `items_search`(`items_search`, `rowid`, `search_text`) VALUES ('delete', old.`rowid`, old.`search_text`);
END;--> statement-breakpoint
CREATE TRIGGER `items_search_update` AFTER UPDATE OF `search_text` ON `items` BEGIN
  INSERT INTO `items_search`(`items_search`, `rowid`, `search_text`) VALUES ('delete', old.`rowid`, old.`search_text`);
  INSERT INTO `items_search`(`rowid`, `search_text`) VALUES (new.`rowid`, new.`search_text`);
END;--> statement-breakpoint
INSERT INTO `items_search`(`items_search`) VALUES ('rebuild');
