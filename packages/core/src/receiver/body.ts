import { HooklineError } from "../errors.ts";

/** Default cap on a webhook or API request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** The `payload_too_large` error every body reader throws (413). */
export function bodyTooLarge(limit: number): HooklineError {
  return new HooklineError("payload_too_large", `request body exceeds the limit of ${limit} bytes`, {
    status: 413,
  });
}

/**
 * Reads a whole body into one `Uint8Array`, failing with `payload_too_large` (413) as soon as more than
 * `limit` bytes arrived. Works on a web `ReadableStream` and on a Node `IncomingMessage` alike (both are
 * async iterables of byte chunks). Never buffers more than `limit` bytes plus one chunk.
 */
export async function collectBody(
  source: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>,
  limit: number = DEFAULT_BODY_LIMIT_BYTES,
): Promise<Uint8Array> {
  // Node's web ReadableStream is async-iterable at runtime; the DOM typings do not say so.
  const iterable = source as AsyncIterable<Uint8Array | string>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const encoder = new TextEncoder();
  for await (const chunk of iterable) {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    size += bytes.byteLength;
    if (size > limit) throw bodyTooLarge(limit);
    chunks.push(bytes);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Throws `payload_too_large` when a declared `content-length` is already over the limit (no read needed). */
export function assertContentLength(value: string | null | undefined, limit: number): void {
  if (value == null || value === "") return;
  const length = Number(value);
  if (Number.isFinite(length) && length > limit) throw bodyTooLarge(limit);
}
