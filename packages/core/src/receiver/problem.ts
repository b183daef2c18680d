import { type ProblemDetails, problemBody, problemFromError } from "../router/problem.ts";

/** A complete HTTP answer the adapters send as is (they only translate it to their framework). */
export interface WebhookReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An `application/problem+json` reply (RFC 9457, the same shape the subscription API answers). */
export function problemReply(problem: ProblemDetails): WebhookReply {
  return {
    status: problem.status,
    headers: { "content-type": "application/problem+json" },
    body: JSON.stringify(problemBody(problem)),
  };
}

/** Problem details of a thrown hookline error (4xx keep their message; anything else is a bare 500). */
export function problemOf(err: unknown): ProblemDetails {
  return problemFromError(err).problem;
}

/** An `application/json` reply. */
export function jsonReply(status: number, body: unknown): WebhookReply {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** The reply as a web `Response` (for fetch-native frameworks). */
export function replyToResponse(reply: WebhookReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}
