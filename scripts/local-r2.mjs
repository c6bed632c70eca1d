// The settings that put a local `wrangler dev` in R2 upload mode, through the S3 API it serves for the
// local bucket, with the local-only credentials from wrangler.toml (`local_dev.experimental_s3_credentials`).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./offline-env.mjs";

function fromWranglerToml() {
  const toml = readFileSync(join(projectRoot, "wrangler.toml"), "utf8");
  const bucket = /^\s*bucket_name\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const accessKeyId = /experimental_s3_credentials\s*=\s*\{[^}]*accessKeyId\s*=\s*"([^"]+)"/.exec(toml)?.[1];
  const secretAccessKey = /experimental_s3_credentials\s*=\s*\{[^}]*secretAccessKey\s*=\s*"([^"]+)"/.exec(toml)?.[1];
  if (!bucket || !accessKeyId || !secretAccessKey) {
    throw new Error("wrangler.toml: the ARTIFACTS bucket needs bucket_name and local_dev.experimental_s3_credentials");
  }
  return { bucket, accessKeyId, secretAccessKey };
}

/** Vars for `wrangler dev --port <port>`: UPLOAD_MODE=r2 against http://127.0.0.1:<port>/cdn-cgi/local/r2/s3. */
export function localR2Vars(port) {
  const { bucket, accessKeyId, secretAccessKey } = fromWranglerToml();
  return {
    UPLOAD_MODE: "r2",
    R2_S3_ENDPOINT: `http://127.0.0.1:${port}/cdn-cgi/local/r2/s3`,
    R2_ACCESS_KEY_ID: accessKeyId,
    R2_SECRET_ACCESS_KEY: secretAccessKey,
    R2_BUCKET_NAME: bucket,
  };
}
