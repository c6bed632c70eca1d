-- One publisher spelling per kind and source, checked in O(log n): migration 0004's trigger looked for
-- `publisher <> NEW.publisher` among the rows sharing lower(publisher), which walks every item of that
-- publisher on each insert (quadratic when a publisher has many packages). With `publisher` in the index
-- after lower(publisher), "a spelling below" and "a spelling above" are two seeks that stop at once.
DROP TRIGGER `items_publisher_one_spelling`;
--> statement-breakpoint
DROP INDEX `items_publisher_nocase`;
--> statement-breakpoint
CREATE INDEX `items_publisher_spelling` ON `items` (`kind`, `source`, lower(`publisher`), `publisher`);
--> statement-breakpoint
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
