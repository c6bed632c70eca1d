// Creates .dev.vars (git-ignored) with a random ADMIN_TOKEN, signing secret and token key, once; later runs reuse it.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./offline-env.mjs";

export const devVarsPath = join(projectRoot, ".dev.vars");

export function ensureDevVars() {
  if (!existsSync(devVarsPath)) {
    const lines = [
      "# Local secrets for `npm start` (wrangler dev). Generated once; delete the file to get new ones.",
      `ADMIN_TOKEN=adm_${randomBytes(32).toString("base64url")}`,
      `SIGNING_SECRET=${randomBytes(32).toString("base64url")}`,
      newTokenKeysLine(),
      `PLUGIN_SIGNING_KEY=${newPluginSigningKey()}`,
      "",
    ];
    writeFileSync(devVarsPath, lines.join("\n"), { mode: 0o600 });
  } else if (!/^TOKEN_KEYS=/m.test(readFileSync(devVarsPath, "utf8"))) {
    // A .dev.vars from before org tokens carried a MAC: add the key, keep the rest.
    appendFileSync(devVarsPath, `${newTokenKeysLine()}\n`);
  }
  if (!/^PLUGIN_SIGNING_KEY=/m.test(readFileSync(devVarsPath, "utf8"))) {
    // A .dev.vars from before plugin archives were signed: add a key, keep the rest.
    appendFileSync(devVarsPath, `PLUGIN_SIGNING_KEY=${newPluginSigningKey()}\n`);
  }
  return readDevVars();
}

/**
 * The plugin SHA256SUMS signing key (docs/guide/plugins.md): `<minisign key id, 16 hex>:<Ed25519 seed>:<public key>`,
 * both halves base64url, as the Worker secret PLUGIN_SIGNING_KEY holds it.
 */
export function newPluginSigningKey() {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  return `${randomBytes(8).toString("hex").toUpperCase()}:${jwk.d}:${jwk.x}`;
}

/** Org token MAC keys (docs/tokens.md): one key, `k1`, to start with. */
const newTokenKeysLine = () => `TOKEN_KEYS=k1:${randomBytes(32).toString("base64url")}`;

export function readDevVars() {
  const vars = {};
  for (const line of readFileSync(devVarsPath, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}
