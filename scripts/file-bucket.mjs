// A file-backed stand-in for an R2 bucket, for measurements in Node only (tests use real bindings): get (with ranges),
// put, delete, list (prefix, cursor), and multipart uploads (create, resume, uploadPart, complete, abort), each counted.
import { appendFileSync, closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";

export function fileBucket(dir, calls = {}, bytes = { read: 0, written: 0 }) {
  const path = (key) => join(dir, encodeURIComponent(key));
  const count = (name) => (calls[name] = (calls[name] ?? 0) + 1);
  /** Bytes answered by gets (a range its length) and bytes put or uploaded, as R2 would move them. */
  const moved = (kind, n) => (bytes[kind] += n);
  const readRange = (key, start, length) => {
    const fd = openSync(path(key), "r");
    try {
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, start);
      return buf;
    } finally {
      closeSync(fd);
    }
  };
  const object = (key, range) => {
    const size = statSync(path(key)).size;
    const start = range?.offset ?? 0;
    const length = range ? Math.min(range.length ?? size - start, size - start) : size;
    const body = () => Readable.toWeb(createReadStream(path(key), { start, end: start + length - 1, highWaterMark: 64 * 1024 }));
    const bytes = () => readRange(key, start, length);
    return {
      key,
      size,
      get body() {
        return body();
      },
      arrayBuffer: async () => {
        const b = bytes();
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      },
      text: async () => bytes().toString("utf8"),
      json: async () => JSON.parse(bytes().toString("utf8")),
    };
  };
  const uploads = new Map();
  const upload = (key, uploadId) => ({
    key,
    uploadId,
    async uploadPart(n, body) {
      count("uploadPart");
      const data = typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
      moved("written", data.byteLength);
      writeFileSync(path(`${key}.${uploadId}.part${n}`), data);
      return { partNumber: n, etag: String(n) };
    },
    async complete(parts) {
      count("complete");
      const files = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => path(`${key}.${uploadId}.part${p.partNumber}`));
      writeFileSync(path(key), "");
      for (const f of files) appendFileSync(path(key), readFileSync(f));
      this.abort();
      return object(key);
    },
    async abort() {
      count("abort");
      const stem = encodeURIComponent(`${key}.${uploadId}.part`);
      for (const f of readdirSync(dir)) if (f.startsWith(stem)) rmSync(join(dir, f), { force: true });
    },
  });
  return {
    async get(key, options) {
      count(options?.range ? "get (range)" : "get");
      if (!existsSync(path(key))) return null;
      const answer = object(key, options?.range);
      const size = statSync(path(key)).size;
      const start = options?.range?.offset ?? 0;
      moved("read", options?.range ? Math.max(0, Math.min(options.range.length ?? size - start, size - start)) : size);
      return answer;
    },
    async head(key) {
      count("head");
      return existsSync(path(key)) ? object(key) : null;
    },
    async put(key, value) {
      count("put");
      const data = typeof value === "string" ? Buffer.from(value) : Buffer.from(value instanceof ArrayBuffer ? new Uint8Array(value) : value);
      moved("written", data.byteLength);
      writeFileSync(path(key), data);
      return object(key);
    },
    async delete(keys) {
      count("delete");
      for (const key of [keys].flat()) rmSync(path(key), { force: true });
    },
    async list(options = {}) {
      count("list");
      const keys = readdirSync(dir).map(decodeURIComponent).filter((k) => k.startsWith(options.prefix ?? "") && !/\.part\d+$/.test(k)).sort();
      const from = Number(options.cursor ?? 0);
      const limit = options.limit ?? 1000;
      const page = keys.slice(from, from + limit);
      const truncated = from + limit < keys.length;
      return { objects: page.map((k) => ({ key: k, size: statSync(path(k)).size })), truncated, cursor: truncated ? String(from + limit) : undefined, delimitedPrefixes: [] };
    },
    async createMultipartUpload(key) {
      count("createMultipartUpload");
      const id = `u${uploads.size + 1}-${Date.now()}`;
      uploads.set(id, key);
      return upload(key, id);
    },
    resumeMultipartUpload(key, uploadId) {
      return upload(key, uploadId);
    },
  };
}
