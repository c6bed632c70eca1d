CREATE TABLE `stack_usage` (
	`org_login` text NOT NULL,
	`project` text NOT NULL,
	`stack` text NOT NULL,
	`source` text NOT NULL,
	`publisher` text NOT NULL,
	`name` text NOT NULL,
	`canonical_name` text NOT NULL,
	`version` text,
	`precedence_key` text,
	`reported_at` text NOT NULL,
	PRIMARY KEY(`org_login`, `project`, `stack`, `source`, `publisher`, `canonical_name`),
	FOREIGN KEY (`org_login`) REFERENCES `orgs`(`login`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stack_usage_by_package` ON `stack_usage` (`org_login`,`source`,`publisher`,`canonical_name`,`precedence_key`);