// What a deprecated version or item carries (stored as JSON, shown as `deprecation`).

export interface Deprecation {
  message: string;
  /** `source/publisher/name[@version]` of something in this registry. */
  replacement?: string;
  deprecatedAt: string;
}
