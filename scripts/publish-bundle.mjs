// What `npm run publish` uploads: a package directory's slots or a template directory's archive, read
// and checked against the registry's slot rules locally, so a mistake is named before anything is sent.
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import semverParse from "semver/functions/parse.js";
import { parse as parseYaml } from "yaml";

const MiB = 1024 * 1024;
/** The registry's default limits (src/env.ts); a deployment may lower them, and complete checks again. */
export const LIMITS = {
  schemaBytes: 300 * MiB,
  docBytes: 5 * MiB,
  archiveBytes: 20 * MiB,
  archiveUnpackedBytes: 100 * MiB,
  archiveEntries: 10_000,
  pulumiYamlBytes: 1 * MiB,
};

/** A path segment the registry accepts for a publisher or a name (src/registry/names.ts). */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A mistake in the directory or the options: exit code 1 with the message, nothing sent. */
export class BundleError extends Error {}

/** Strict SemVer 2.0 without a `v`, as the registry parses versions (src/registry/versions.ts). */
export function checkVersion(version, where) {
  const parsed = typeof version === "string" && !/^[vV]/.test(version) ? semverParse(version, { loose: false }) : null;
  const rendered = parsed ? parsed.version + (parsed.build.length ? `+${parsed.build.join(".")}` : "") : undefined;
  if (rendered !== version) throw new BundleError(`${where} '${String(version)}' is not a SemVer 2.0 version (such as 1.2.0 or 2.0.0-rc.1, without a 'v')`);
  return version;
}

function checkSegment(value, what) {
  if (!SEGMENT.test(value)) throw new BundleError(`${what} '${value}' is not valid: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters`);
  return value;
}

/** SemVer precedence ignores build metadata: 1.0.0 and 1.0.0+abc are the same version. */
const withoutBuild = (version) => version.replace(/\+.*$/, "");

function findFile(dir, names) {
  const wanted = names.map((n) => n.toLowerCase());
  const found = readdirSync(dir).filter((entry) => wanted.includes(entry.toLowerCase()) && lstatSync(join(dir, entry)).isFile());
  return found.length ? join(dir, found[0]) : undefined;
}

function checkSize(path, bytes, max, slot) {
  if (bytes > max) throw new BundleError(`${relative(process.cwd(), path) || path} is ${bytes} bytes; the ${slot} may be at most ${max} bytes`);
}

/**
 * A package directory: `schema.json` (slot `schema`, required), `README.md` (slot `index`, required:
 * the package's front page) and optionally `installation.md` (slot `installationConfiguration`).
 * Name and version come from the schema; `--name`/`--version` may only repeat them.
 */
export function readPackageDir(dir, options = {}) {
  const schemaPath = join(dir, "schema.json");
  let schemaText;
  try {
    schemaText = readFileSync(schemaPath, "utf8");
  } catch {
    throw new BundleError(`${dir} has no schema.json: a package directory holds schema.json (the 'schema' slot), README.md (the 'index' slot) and optionally installation.md`);
  }
  let schema;
  try {
    schema = JSON.parse(schemaText);
  } catch (error) {
    throw new BundleError(`${schemaPath} is not valid JSON: ${error.message}`);
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) throw new BundleError(`${schemaPath} is not a JSON object`);
  if (typeof schema.name !== "string") throw new BundleError(`${schemaPath} has no 'name': the registry publishes the package under its schema's name`);
  const name = checkSegment(schema.name, "schema name");
  if (options.name !== undefined && options.name !== name) {
    throw new BundleError(`--name '${options.name}' does not match the schema's name '${name}': the schema's 'name' must be the package name`);
  }
  let version;
  if (schema.version !== undefined) {
    version = checkVersion(schema.version, "schema version");
    if (options.version !== undefined && withoutBuild(checkVersion(options.version, "--version")) !== withoutBuild(version)) {
      throw new BundleError(`--version '${options.version}' does not match the schema's version '${version}': the schema's 'version' must be the published version`);
    }
  } else if (options.version !== undefined) {
    version = checkVersion(options.version, "--version");
  } else {
    throw new BundleError(`${schemaPath} has no 'version'; add one or pass --version`);
  }
  const schemaBytes = Buffer.byteLength(schemaText);
  checkSize(schemaPath, schemaBytes, LIMITS.schemaBytes, "schema");

  const readmePath = findFile(dir, ["README.md"]);
  if (!readmePath) throw new BundleError(`${dir} has no README.md: the README is the 'index' slot, the package's front page, and is required`);
  const readme = readFileSync(readmePath);
  checkSize(readmePath, readme.length, LIMITS.docBytes, "README ('index' slot)");
  const installationPath = findFile(dir, ["installation.md", "installation-configuration.md"]);
  const installation = installationPath ? readFileSync(installationPath) : undefined;
  if (installation) checkSize(installationPath, installation.length, LIMITS.docBytes, "installation text ('installationConfiguration' slot)");

  // Sent compact, as `pulumi package publish` sends it.
  const slots = { schema: Buffer.from(JSON.stringify(schema)), index: readme };
  if (installation) slots.installationConfiguration = installation;
  return { kind: "package", collection: "packages", name, version, slots, files: { schema: schemaPath, index: readmePath, installationConfiguration: installationPath } };
}

/** Directories never put into a template archive. */
const SKIPPED_DIRS = new Set([".git", "node_modules"]);

function walk(root) {
  const files = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      const stat = lstatSync(path);
      if (stat.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry)) visit(path);
      } else if (stat.isFile()) {
        files.push({ name: relative(root, path).split(sep).join("/"), path, stat });
      } else {
        throw new BundleError(`${path} is not a regular file (a link or a device): template archives hold regular files only`);
      }
    }
  };
  visit(root);
  return files;
}

/**
 * A template directory: a root `Pulumi.yaml` with a `template:` section, any other files (`.git` and
 * `node_modules` left out), a root README.md shown as its page. Name: `--name`, else the directory's
 * name; version: `--version` (a template has none of its own).
 */
export function readTemplateDir(dir, options = {}) {
  const yamlPath = join(dir, "Pulumi.yaml");
  let yamlText;
  try {
    yamlText = readFileSync(yamlPath, "utf8");
  } catch {
    throw new BundleError(`${dir} has no Pulumi.yaml: a template directory needs one at its root, with a 'template:' section`);
  }
  let project;
  try {
    project = parseYaml(yamlText);
  } catch (error) {
    throw new BundleError(`${yamlPath} is not valid YAML: ${error.message.split("\n")[0]}`);
  }
  const template = project?.template;
  if (typeof template !== "object" || template === null || Array.isArray(template)) {
    throw new BundleError(`${yamlPath} has no 'template:' section (a mapping with displayName, description, config…): the registry needs it to list the template`);
  }
  const name = checkSegment(options.name ?? basename(resolve(dir)), options.name === undefined ? "template name (the directory's name; pass --name to choose another)" : "--name");
  if (options.version === undefined) throw new BundleError("a template has no version of its own: pass --version, such as --version 1.0.0");
  const version = checkVersion(options.version, "--version");

  const files = walk(dir);
  if (files.length > LIMITS.archiveEntries) throw new BundleError(`${dir} holds ${files.length} files; a template archive may hold at most ${LIMITS.archiveEntries}`);
  const unpacked = files.reduce((sum, f) => sum + f.stat.size, 0);
  if (unpacked > LIMITS.archiveUnpackedBytes) throw new BundleError(`${dir} holds ${unpacked} bytes; a template archive may unpack to at most ${LIMITS.archiveUnpackedBytes}`);
  checkSize(yamlPath, Buffer.byteLength(yamlText), LIMITS.pulumiYamlBytes, "Pulumi.yaml");
  const readme = files.find((f) => !f.name.includes("/") && f.name.toLowerCase() === "readme.md");
  if (readme) checkSize(readme.path, readme.stat.size, LIMITS.docBytes, "README");
  const archive = tarGz(files);
  if (archive.length > LIMITS.archiveBytes) throw new BundleError(`the archive of ${dir} is ${archive.length} bytes compressed; the 'archive' slot may be at most ${LIMITS.archiveBytes}`);
  return { kind: "template", collection: "templates", name, version, slots: { archive }, files: { archive: `${files.length} files from ${dir}` } };
}

/** One 512-byte ustar header; long names are split into the header's prefix and name fields. */
function tarHeader(name, size, mode, mtime) {
  let prefix = "";
  let short = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) {
      throw new BundleError(`the path '${name}' is too long for a template archive (at most 100 characters after the last '/' and 155 before it)`);
    }
    prefix = name.slice(0, cut);
    short = name.slice(cut + 1);
  }
  const header = Buffer.alloc(512);
  const put = (value, offset, length) => header.write(value, offset, length, "utf8");
  const octal = (value, length) => value.toString(8).padStart(length - 1, "0");
  put(short, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtime, 12), 136, 12);
  put("        ", 148, 8); // the checksum is computed with its own field as spaces
  put("0", 156, 1);
  put("ustar\u000000", 257, 8);
  put(prefix, 345, 155);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${octal(sum, 7)}\u0000`, 148, 8);
  return header;
}

/** A gzip tar of regular files with relative names and no directory entries, as `pulumi template publish` makes. */
export function tarGz(files) {
  const blocks = [];
  for (const file of files) {
    const data = readFileSync(file.path);
    blocks.push(tarHeader(file.name, data.length, file.stat.mode & 0o777, Math.floor(file.stat.mtimeMs / 1000)), data);
    if (data.length % 512) blocks.push(Buffer.alloc(512 - (data.length % 512)));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A package directory has schema.json; a template directory has Pulumi.yaml. */
export function readBundle(dir, options = {}) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    throw new BundleError(`${dir} is not a directory`);
  }
  if (entries.includes("schema.json")) return readPackageDir(dir, options);
  if (entries.includes("Pulumi.yaml")) return readTemplateDir(dir, options);
  throw new BundleError(`${dir} holds neither schema.json (a package: schema.json, README.md, installation.md) nor Pulumi.yaml (a template)`);
}
