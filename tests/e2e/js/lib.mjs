// Shared by the node scripts the end-to-end tests run: `node <script>.mjs <endpoint> <key> <secret>`.
// Each script drives the LRS with the xapijs client (@xapi/xapi) and prints one JSON object of
// observations (statuses, bodies, headers) for the Python test to assert on.
import { createHash, randomUUID } from "node:crypto";
import XAPI from "@xapi/xapi";

export { XAPI };

export function args() {
  const [endpoint, key, secret] = process.argv.slice(2);
  if (!endpoint || !key || !secret) {
    console.error("usage: node <script>.mjs <endpoint> <key> <secret>");
    process.exit(2);
  }
  return { endpoint, key, secret };
}

// An xapijs client; `adapter` is the library's own choice ("axios", the default, or "fetch")
// or an adapter function.
export function client({ endpoint, key, secret }, adapter) {
  return new XAPI({
    endpoint,
    auth: XAPI.toBasicAuth(key, secret),
    version: "1.0.3",
    ...(adapter ? { adapter } : {}),
  });
}

export const tag = () => randomUUID().replaceAll("-", "").slice(0, 12);
export const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
export const arrayBuffer = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);

const KEPT_HEADERS = [
  "content-type",
  "etag",
  "last-modified",
  "x-experience-api-version",
  "x-experience-api-consistent-through",
];

function keptHeaders(headers) {
  const plain = typeof headers?.toJSON === "function" ? headers.toJSON() : { ...(headers ?? {}) };
  const lower = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(KEPT_HEADERS.filter((h) => h in lower).map((h) => [h, lower[h]]));
}

// What one xapijs call did: { ok, status, data, headers } whether it succeeded or the LRS
// answered with an error status. Anything else (network errors, library crashes) is reported
// as { ok: false, status: null, error }.
export async function outcome(promise) {
  try {
    const response = await promise;
    return { ok: true, status: response.status, data: response.data ?? null, headers: keptHeaders(response.headers) };
  } catch (error) {
    if (error.response) {
      const { status, data, headers } = error.response;
      return { ok: false, status, data: data ?? null, headers: keptHeaders(headers) };
    }
    // The library's "fetch" adapter throws Error(<response body>); the LRS's error bodies are
    // JSON problem documents that carry their status.
    try {
      const problem = JSON.parse(error?.message);
      if (Number.isInteger(problem?.status)) return { ok: false, status: problem.status, data: problem, headers: {} };
    } catch {
      // not a problem document
    }
    return { ok: false, status: null, error: String(error?.message ?? error) };
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function print(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
