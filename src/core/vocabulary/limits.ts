// Size and time limits, in bytes / milliseconds / entries, parsed once per request from configuration.

export interface Limits {
  schemaBytes: number;
  docBytes: number;
  archiveBytes: number;
  archiveUnpackedBytes: number;
  archiveEntries: number;
  operationTtlMs: number;
}
