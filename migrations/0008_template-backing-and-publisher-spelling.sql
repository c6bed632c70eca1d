CREATE INDEX `items_by_backing_name` ON `items` (`kind`,`backing`,`canonical_name`,`source`,`publisher`);--> statement-breakpoint
CREATE INDEX `items_by_backing_owner` ON `items` (`kind`,`backing`,`owner_org`,`canonical_name`,`source`,`publisher`);--> statement-breakpoint
-- Hand-added: the one-spelling-per-publisher check (0004) read every item of the publisher on each
-- insert (`lower(publisher) = … AND publisher <> …` has only an equality prefix), so a new item of a
-- publisher with 10,000 packages read 10,000 index entries, and seeding a catalog was quadratic. With
-- the spelling itself in the index, "another spelling" is two range seeks (below it, above it).
DROP INDEX `items_publisher_nocase`;--> statement-breakpoint
CREATE INDEX `items_publisher_nocase` ON `items` (`kind`, `source`, lower(`publisher`), `publisher`);--> statement-breakpoint
DROP TRIGGER `items_publisher_one_spelling`;--> statement-breakpoint
CREATE TRIGGER `items_publisher_one_spelling` BEFORE INSERT ON `items`
WHEN EXISTS (
  SELECT 1 FROM `items`
  WHERE `kind` = NEW.`kind` AND `source` = NEW.`source` AND lower(`publisher`) = lower(NEW.`publisher`) AND `publisher` < NEW.`publisher`
) OR EXISTS (
  SELECT 1 FROM `items`
  WHERE `kind` = NEW.`kind` AND `source` = NEW.`source` AND lower(`publisher`) = lower(NEW.`publisher`) AND `publisher` > NEW.`publisher`
)
BEGIN
  SELECT RAISE(ABORT, 'publisher spelling conflict');
END;
