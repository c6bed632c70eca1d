// Publishing templates the way the Pulumi CLI does, with a real gzip tar archive.
import { expect } from "vitest";
import { gzip, tar, type TarEntry } from "../unit/tar-fixtures";
import { callJson } from "./helpers";
import { put } from "./publish-helpers";

export const PULUMI_YAML = (extra = "") => `name: \${PROJECT}
runtime: nodejs
description: A project description
template:
  displayName: Serverless TS
  description: An AWS Lambda in TypeScript
  metadata:
    cloud: aws
    pattern: 100%_literal
  config:
    aws:region:
      description: The AWS region
      default: us-west-2
${extra}`;

export const archiveOf = (entries: TarEntry[]) => gzip(tar(entries));

export function concatPadded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

export function goodArchive() {
  return archiveOf([
    { name: "Pulumi.yaml", data: PULUMI_YAML() },
    { name: "index.ts", data: "export const x = 1;\n" },
    { name: "README.md", data: "# Serverless\n" },
  ]);
}

export async function startTemplate(token: string, path: string, version: string, prefix = "/api/registry") {
  return callJson(`${prefix}/templates/${path}/versions`, { method: "POST", token, body: { version } });
}

export async function publishTemplate(token: string, path: string, version: string, archive: Uint8Array, prefix = "/api/registry") {
  const s = await startTemplate(token, path, version, prefix);
  if (s.status !== 202) throw new Error(`start: ${s.status} ${JSON.stringify(s.body)}`);
  const up = await put(s.body.uploadURLs.archive, archive, { "Content-Type": "application/gzip" });
  expect(up.status).toBe(200);
  return callJson(`${prefix}/templates/${path}/versions/${version}/complete`, { method: "POST", token, body: { operationID: s.body.operationID } });
}

/** A VCS-backed template as the operator registers it (POST /api/admin/templates). */
export const VCS_TEMPLATE = {
  source: "github",
  publisher: "pulumi",
  name: "pulumi/examples/aws-ts-s3",
  repoSlug: "pulumi/examples",
  downloadURL: "https://github.com/pulumi/examples/archive/refs/heads/master.tar.gz",
  displayName: "S3 website",
  language: "typescript",
  metadata: { cloud: "aws" },
};
