-- Org logins and publisher names are unique ignoring (ASCII) case: `acme` and `ACME` cannot both exist.
-- Fails if the database already holds two logins that differ only in case; rename one first.
CREATE UNIQUE INDEX `orgs_login_nocase_unique` ON `orgs` (lower(`login`));
--> statement-breakpoint
CREATE INDEX `items_publisher_nocase` ON `items` (`kind`, `source`, lower(`publisher`));
--> statement-breakpoint
-- The last line of defence behind the coordinator's check (two identities publish in parallel
-- through different Durable Objects): one spelling per publisher per kind and source.
CREATE TRIGGER `items_publisher_one_spelling` BEFORE INSERT ON `items`
WHEN EXISTS (
  SELECT 1 FROM `items`
  WHERE `kind` = NEW.`kind` AND `source` = NEW.`source` AND lower(`publisher`) = lower(NEW.`publisher`) AND `publisher` <> NEW.`publisher`
)
BEGIN
  SELECT RAISE(ABORT, 'publisher spelling conflict');
END;
