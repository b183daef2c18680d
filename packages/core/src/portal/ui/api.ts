/** The portal's JSON API client: same-origin fetch with the session's CSRF token on every mutation. */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}
export interface Subscription {
  id: string;
  url: string;
  method: string;
  eventTypes: string[];
  description: string | null;
  status: "active" | "paused" | "disabled";
  disabledReason: string | null;
  secrets: { id: string; createdAt: string; expiresAt: string | null }[];
  createdAt: string;
}
export interface Delivery {
  id: string;
  messageId: string;
  subscriptionId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}
export interface Attempt {
  id: string;
  number: number;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  status: number | null;
  responseBody: string | null;
  responseHeaders: Record<string, string>;
  durationMs: number;
  errorKind: string | null;
  error: string | null;
  startedAt: string;
}
export interface EventType {
  name: string;
  description: string | null;
  example: unknown;
  jsonSchema: unknown;
}
export interface HourlyChart {
  hours: { hour: string; delivered: number; failed: number }[];
  truncated: boolean;
}

/** An API error, with the problem's detail and field errors as its message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const base = document.documentElement.dataset["base"] ?? "/portal";
let csrfToken = "";

/** Remembers the session's CSRF token. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Calls `<base>/api/<path>`; throws {@link ApiError} with a readable message on an error status. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") headers["x-hookline-csrf"] = csrfToken;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}/api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, problemMessage(data, res.status));
  return data as T;
}

function problemMessage(data: unknown, status: number): string {
  if (typeof data !== "object" || data === null) return `Request failed (${status}).`;
  const p = data as { detail?: string; errors?: { field: string; message: string }[] };
  const fields = (p.errors ?? []).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  return [p.detail ?? `Request failed (${status}).`, ...fields].join(" ");
}

/** A query string from the defined values. */
export function qs(params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}
