// Types for seed-catalog.mjs (used by the index tests as well as the bench).
export const SEED_PUBLISHERS: number;
export function seedCatalogSql(options: { count: number; template: string }): string[];
