/**
 * RFC 9457 problem details: the default error shape of the subscription API, and the mapping from any thrown
 * value to one. Unexpected errors become a bare 500 without internals.
 */
import { type FieldIssue, HooklineError, type HooklineErrorCode } from "../errors.ts";

/** An HTTP error as the router sees it, before a codec renders it. */
export interface ProblemDetails {
  /** URI reference naming the problem type (`about:blank` unless more specific). */
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable hookline error code, e.g. `not_found`, `validation_failed`. */
  code: HooklineErrorCode;
  /** One entry per bad field, with wire field names. Empty when the problem is not about fields. */
  errors: FieldIssue[];
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Options of {@link problemDetails} and {@link problem}. */
export interface ProblemOptions {
  code?: HooklineErrorCode;
  title?: string;
  type?: string;
  errors?: FieldIssue[];
  headers?: HeadersInit;
}

/** Builds a {@link ProblemDetails} object. */
export function problemDetails(status: number, detail: string, options: ProblemOptions = {}): ProblemDetails {
  return {
    type: options.type ?? "about:blank",
    title: options.title ?? TITLES[status] ?? "Error",
    status,
    detail,
    code: options.code ?? codeForStatus(status),
    errors: options.errors ?? [],
  };
}

/**
 * An `application/problem+json` response (RFC 9457), for hosts writing their own handlers next to the router.
 *
 * @example problem(404, "No such subscription", { code: "not_found" })
 */
export function problem(status: number, detail: string, options: ProblemOptions = {}): Response {
  const headers = new Headers(options.headers);
  headers.set("content-type", "application/problem+json");
  return new Response(JSON.stringify(problemBody(problemDetails(status, detail, options))), {
    status,
    headers,
  });
}

/** The JSON body of a problem: RFC 9457 members plus `code`, and `errors` only when there are some. */
export function problemBody(p: ProblemDetails): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: p.type,
    title: p.title,
    status: p.status,
    detail: p.detail,
    code: p.code,
  };
  if (p.errors.length > 0) body["errors"] = p.errors;
  return body;
}

/** Strips the `[hookline]` prefix for user-facing messages. */
function userMessage(message: string): string {
  return message.replace(/^(\[hookline\]\s*)+/, "").replace(/^\[[a-z0-9-]+\]\s*/, "");
}

/**
 * Maps a thrown value to a problem. Hookline errors with a 4xx status keep their message and issues;
 * everything else (5xx, foreign errors) becomes a generic problem that reveals nothing about internals.
 * `internal` tells the caller to log it.
 */
export function problemFromError(err: unknown): { problem: ProblemDetails; internal: boolean } {
  if (HooklineError.is(err)) {
    if (err.status >= 400 && err.status < 500) {
      return {
        problem: problemDetails(err.status, userMessage(err.message), { code: err.code, errors: err.issues }),
        internal: false,
      };
    }
    if (err.status === 503) {
      return {
        problem: problemDetails(503, "The service is temporarily unavailable.", { code: err.code }),
        internal: true,
      };
    }
  }
  return {
    problem: problemDetails(500, "An unexpected error occurred.", { code: "internal" }),
    internal: true,
  };
}

function codeForStatus(status: number): HooklineErrorCode {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 422:
      return "validation_failed";
    default:
      return "internal";
  }
}

/** Shorthand for throwing a 400 from inside the router. */
export function badRequest(message: string, issues: FieldIssue[] = []): HooklineError {
  return new HooklineError("bad_request", message, { status: 400, issues });
}
