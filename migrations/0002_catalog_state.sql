CREATE TABLE `catalog_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL
);
