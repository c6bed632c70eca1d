// Size and time limits, in bytes / milliseconds / entries, parsed once per request from configuration.

export interface Limits {
  schemaBytes: number;
  docBytes: number;
  archiveBytes: number;
  archiveUnpackedBytes: number;
  archiveEntries: number;
  /** Bytes of nav.json the API tree's filter reads at most: a bigger package is searched in its first modules. */
  filterNavBytes: number;
  /**
   * The filter through the search index (docs derived with it): bytes of posting lists read, and
   * member lines checked (in blocks of 16) per request; past either the page says "at least".
   */
  searchPostingBytes: number;
  searchCandidates: number;
  /** Bytes of examples.tsv the `examples` route reads at most: past it, totalCount counts the examples read. */
  examplesBytes: number;
  /** A provider plugin archive (gzip tar) as uploaded, and what it unpacks to. */
  pluginBytes: number;
  pluginUnpackedBytes: number;
  operationTtlMs: number;
}
