/**
 * Maps what undici and the socket layer throw to an {@link AttemptErrorKind}. Errors arrive wrapped
 * (`cause`, `AggregateError` from happy-eyeballs), so the whole chain is searched.
 */
import { HooklineError } from "../../errors.ts";
import type { AttemptErrorKind } from "../../model/types.ts";

const KIND_BY_CODE: Record<string, AttemptErrorKind> = {
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  ETIMEDOUT: "timeout",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_FAIL: "dns",
  EAI_NODATA: "dns",
  EAI_NONAME: "dns",
  ENODATA: "dns",
  ECONNREFUSED: "connect",
  EHOSTUNREACH: "connect",
  ENETUNREACH: "connect",
  EHOSTDOWN: "connect",
  EADDRNOTAVAIL: "connect",
  ECONNRESET: "reset",
  ECONNABORTED: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
};

/** Every error in the chain: the error, its causes and the members of aggregate errors. */
function* errorChain(err: unknown, depth = 0): Generator<unknown> {
  if (err === null || err === undefined || depth > 8) return;
  yield err;
  if (err instanceof AggregateError) for (const inner of err.errors) yield* errorChain(inner, depth + 1);
  if (err instanceof Error && err.cause !== undefined) yield* errorChain(err.cause, depth + 1);
}

function codeOf(err: unknown): string | null {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : null;
}

/** The kind and a short message for a failed request. */
export function classifyError(err: unknown): { kind: AttemptErrorKind; message: string } {
  const chain = [...errorChain(err)];
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const ssrf = chain.find((e) => HooklineError.is(e, "ssrf_blocked"));
  if (ssrf !== undefined) return { kind: "ssrf_blocked", message: message(ssrf) };
  for (const e of chain) {
    const code = codeOf(e);
    if (code === null) continue;
    const kind = KIND_BY_CODE[code];
    if (kind !== undefined) return { kind, message: `${code}: ${message(e)}` };
    if (code.startsWith("ERR_TLS") || code.includes("CERT") || code.startsWith("ERR_SSL")) {
      return { kind: "connect", message: `${code}: ${message(e)}` };
    }
  }
  return { kind: "other", message: message(err) };
}
