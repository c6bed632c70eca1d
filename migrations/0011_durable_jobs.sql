CREATE TABLE `jobs` (
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`step` integer NOT NULL,
	`state` text NOT NULL,
	`runs` integer DEFAULT 0 NOT NULL,
	`tries` integer DEFAULT 0 NOT NULL,
	`error` text,
	`lease_until` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `subject`)
);
--> statement-breakpoint
CREATE INDEX `jobs_stalled` ON `jobs` (`status`,`updated_at`);--> statement-breakpoint
ALTER TABLE `versions` ADD `docs_status` text;