// A large package catalog written straight into D1 (for `npm run bench` and the index tests), keeping
// every invariant the code relies on: one item per identity with its latest pointer, latest copies
// (created time, search text, package types, category), a current latest_history row, FTS rows (by the items
// triggers), orgs for every owner. Version-level values that only the code knows how to make (the
// precedence key, artifact keys, the metadata shape) are copied from one package published for real.
//
// The catalog, for `count` packages:
// - `pkg-000000`…: publisher `pub-<i mod 10>` (source pulumi, public), package type native or
//   component (alternating every 10 packages, so not tied to the publisher), category cloud or
//   infrastructure (alternating every 100 packages), description mentioning "kubernetes" (i mod 3 = 1)
//   or "cloud", and "orbital" when i mod 50 = 7 (2 %: a middle search term).
// - two packages of publisher `tiny` (public, bridged, category monitoring, "zanzibar" in the
//   description): the filters that match two.
// - two private packages of org `hidden` (category database; visibility=private matches two).
// - org `tiny` reports usage of its own two packages (usage=used matches two).

export const SEED_PUBLISHERS = 10;

/**
 * SQL statements (run in order) seeding `count` packages. `template` names a package already published
 * through the API: its version's precedence key, artifacts and metadata are reused.
 */
export function seedCatalogSql({ count, template }) {
  const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
  const tpl = `(SELECT v.%s FROM versions v JOIN items i ON i.latest_version_id = v.id WHERE i.kind = 'package' AND i.canonical_name = ${q(template)})`;
  const fromTemplate = (column) => tpl.replace("%s", column);
  // One row per package: i, name, source, publisher, visibility, types, category, description.
  const rows = `
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1}),
    base AS (
      SELECT i, printf('pkg-%06d', i) AS name, 'pulumi' AS source, 'pub-' || (i % ${SEED_PUBLISHERS}) AS publisher, 'public' AS visibility,
             CASE WHEN (i / ${SEED_PUBLISHERS}) % 2 = 0 THEN 'native' ELSE 'component' END AS types,
             CASE WHEN (i / 100) % 2 = 0 THEN 'cloud' ELSE 'infrastructure' END AS category,
             'The ' || printf('pkg-%06d', i) || ' package for ' || CASE WHEN i % 3 = 1 THEN 'kubernetes' ELSE 'cloud' END || ' things'
               || CASE WHEN i % 50 = 7 THEN ' in orbital' ELSE '' END AS description
      FROM n
      UNION ALL SELECT ${count}, 'tiny-alpha', 'pulumi', 'tiny', 'public', 'bridged', 'monitoring', 'The zanzibar alpha package'
      UNION ALL SELECT ${count + 1}, 'tiny-beta', 'pulumi', 'tiny', 'public', 'bridged', 'monitoring', 'The zanzibar beta package'
      UNION ALL SELECT ${count + 2}, 'hidden-one', 'private', 'hidden', 'private', 'native', 'database', 'A private package'
      UNION ALL SELECT ${count + 3}, 'hidden-two', 'private', 'hidden', 'private', 'native', 'database', 'Another private package'
    ),
    seeded AS (
      SELECT *, 'Package ' || i AS title, strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i, 'unixepoch') AS created
      FROM base
    )`;
  const searchText = `lower(name || char(10) || publisher || char(10) || title || char(10) || description || char(10) || category)`;
  const now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  return [
    `INSERT OR IGNORE INTO orgs (login, display_name, created_at)
     WITH RECURSIVE p(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM p WHERE k < ${SEED_PUBLISHERS - 1})
     SELECT 'pub-' || k, 'Publisher ' || k, ${now} FROM p
     UNION ALL SELECT 'tiny', 'Tiny', ${now} UNION ALL SELECT 'hidden', 'Hidden', ${now}`,
    `INSERT INTO items (id, kind, source, publisher, name, canonical_name, owner_org, visibility, featured, backing, latest_version_id, latest_created_at, search_text, package_types, category, created_at)
     ${rows}
     SELECT 'seed-item-' || i, 'package', source, publisher, name, name, publisher, visibility, 0, 'registry', 'seed-version-' || i, created, ${searchText}, types, category, created
     FROM seeded`,
    `INSERT INTO versions (id, item_id, version, precedence_key, prerelease, retired, created_at, metadata, artifacts, search_text, package_types, operation_id)
     ${rows}
     SELECT 'seed-version-' || i, 'seed-item-' || i, '1.0.0', ${fromTemplate("precedence_key")}, 0, 0, created,
            json_set(${fromTemplate("metadata")}, '$.title', title, '$.description', description, '$.category', category, '$.packageTypes', json_array(types)),
            ${fromTemplate("artifacts")}, ${searchText}, types, 'seed-' || i
     FROM seeded`,
    `INSERT INTO latest_history (item_id, kind, source, publisher, canonical_name, owner_org, visibility, package_types, category, latest_created_at, valid_from)
     SELECT id, kind, source, publisher, canonical_name, owner_org, visibility, package_types, category, latest_created_at, 0 FROM items WHERE id LIKE 'seed-item-%'`,
    `INSERT INTO stack_usage (org_login, project, stack, source, publisher, name, canonical_name, version, precedence_key, reported_at)
     SELECT 'tiny', 'app', s.stack, 'pulumi', 'tiny', i.name, i.canonical_name, '1.0.0', v.precedence_key, ${now}
     FROM items i JOIN versions v ON v.id = i.latest_version_id
     JOIN (SELECT 'dev' AS stack UNION ALL SELECT 'prod') s ON (i.name = 'tiny-alpha' OR s.stack = 'dev')
     WHERE i.publisher = 'tiny' AND i.kind = 'package'`,
  ];
}
