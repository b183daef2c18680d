/**
 * Request bodies: JSON only, bounded while streaming. At most `limit` bytes are ever held in memory;
 * a body over the limit is refused with 413 as soon as the limit is crossed.
 */
import { HooklineError } from "../errors.ts";
import { badRequest } from "./problem.ts";

/** Default body limit: 256 KiB. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

function tooLarge(limit: number): HooklineError {
  return new HooklineError("payload_too_large", `request body exceeds ${limit} bytes`);
}

function isJsonType(contentType: string): boolean {
  const essence = contentType.split(";")[0]!.trim().toLowerCase();
  return essence === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(essence);
}

/** Reads the body as bytes, refusing more than `limit`; `null` when there is none. */
export async function readBounded(request: Request, limit: number): Promise<Uint8Array | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (request.body === null) return null;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (total === 0) return null;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a JSON body. `undefined` when the request has no body. Throws 415 for a non-JSON content type,
 * 413 over the limit, 400 for invalid UTF-8 or malformed JSON.
 */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  const contentType = request.headers.get("content-type");
  if (contentType !== null && !isJsonType(contentType)) {
    await request.body?.cancel().catch(() => {});
    throw new HooklineError("unsupported_media_type", "request body must be application/json");
  }
  const bytes = await readBounded(request, limit);
  if (bytes === null) return undefined;
  if (contentType === null) {
    throw new HooklineError("unsupported_media_type", "request body must be application/json");
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw badRequest("request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("request body is not valid JSON");
  }
}
