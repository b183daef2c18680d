/**
 * Schemes by name, and the two pure entry points: {@link signWebhook} and {@link verifyWebhook}.
 */
import { ValidationError } from "../errors.ts";
import { hubSignature } from "./hmac-header.ts";
import { standardWebhooks } from "./standard.ts";
import { standardWebhooksEd25519 } from "./standard-ed25519.ts";
import { stripeSignature } from "./stripe.ts";
import { assertToleranceFor } from "./timestamp.ts";
import { tokenHeader } from "./token.ts";
import type {
  HeaderSource,
  RawBody,
  SignInput,
  SigningScheme,
  VerifiedHeaders,
  VerifyOptions,
} from "./types.ts";
import { unsigned } from "./unsigned.ts";

/** Schemes by their configuration name. */
export type SchemeRegistry = Readonly<Record<string, SigningScheme>>;

/**
 * The built-in schemes with their default options: `standard`, `standard-v1a`, `hub`, `stripe`, `token`,
 * `none`. A fresh record each call: add your own (`{ ...defaultSchemes(), mine: hmacHeader({…}) }`).
 */
export function defaultSchemes(): Record<string, SigningScheme> {
  const all = [
    standardWebhooks(),
    standardWebhooksEd25519(),
    hubSignature(),
    stripeSignature(),
    tokenHeader(),
    unsigned(),
  ];
  return Object.fromEntries(all.map((s) => [s.name, s]));
}

const builtIn: SchemeRegistry = defaultSchemes();

/**
 * A scheme given by name (looked up in `registry`, the built-ins by default) or as an object (returned as is).
 * An unknown name is a `ValidationError` on field `scheme`.
 */
export function resolveScheme(
  nameOrScheme: string | SigningScheme,
  registry?: SchemeRegistry,
): SigningScheme {
  if (typeof nameOrScheme !== "string") return nameOrScheme;
  const reg = registry ?? builtIn;
  const scheme = Object.hasOwn(reg, nameOrScheme) ? reg[nameOrScheme] : undefined;
  if (scheme === undefined) {
    throw new ValidationError(`[hookline] unknown signing scheme "${nameOrScheme}"`, [
      {
        field: "scheme",
        message: `unknown scheme; known: ${Object.keys(reg).join(", ")}`,
        code: "unknown_scheme",
      },
    ]);
  }
  return scheme;
}

/** Headers that sign one outgoing request with `scheme` (a scheme or a built-in name). */
export function signWebhook(scheme: string | SigningScheme, input: SignInput): Record<string, string> {
  return resolveScheme(scheme).sign(input);
}

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions extends VerifyOptions {
  /** The scheme, or a name from `registry`. Default: Standard Webhooks v1. */
  scheme?: string | SigningScheme;
  /** Where scheme names are looked up. Default: {@link defaultSchemes}. */
  registry?: SchemeRegistry;
}

/**
 * Verifies one incoming request over its RAW body bytes (never a parsed object). Returns what the headers
 * said (message id, timestamp); throws `WebhookVerificationError` with a precise `code` otherwise.
 *
 * ```ts
 * const { id } = verifyWebhook(req.headers, rawBody, { secrets: [process.env.WEBHOOK_SECRET!] });
 * ```
 */
export function verifyWebhook(
  headers: HeaderSource,
  body: RawBody,
  options: VerifyWebhookOptions,
): VerifiedHeaders {
  const scheme = resolveScheme(options.scheme ?? "standard", options.registry);
  assertToleranceFor(scheme, options.toleranceSeconds);
  return scheme.verify(headers, body, options);
}
