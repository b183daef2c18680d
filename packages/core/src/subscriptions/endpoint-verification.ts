/**
 * Opt-in endpoint verification: a subscription becomes active only after its endpoint answered the signed
 * handshake (`receiver/handshake.ts`). A changed URL is verified before the change is stored, and resuming
 * a paused or disabled subscription verifies the endpoint again.
 */
import type { SubscriptionInput, SubscriptionService } from "../contracts.ts";
import { ValidationError } from "../errors.ts";
import type { Subscription } from "../model/types.ts";
import type { Store } from "../store/types.ts";

/** Resolves `true` when the endpoint of `subscription` answered the handshake. */
export type EndpointVerifier = (subscription: Subscription) => Promise<boolean>;

const refused = (code: string, message: string) =>
  new ValidationError(`[hookline] ${message}`, [{ field: "url", code, message }]);

const unverified = () =>
  refused(
    "endpoint_unverified",
    "the endpoint did not answer the signed webhook.verification request with its challenge",
  );

/**
 * A URI template has no single endpoint until a message fills it in, so it cannot be verified: with
 * verification on, templates are refused rather than silently skipped.
 */
function assertConcrete(url: unknown): void {
  if (typeof url === "string" && url.includes("${")) {
    throw refused("endpoint_unverifiable", "endpoint verification needs a concrete URL, not a URI template");
  }
}

/** Wraps `service` so creates, URL changes and resumes pass the handshake first. Nothing is kept when it fails. */
export function withEndpointVerification(
  service: SubscriptionService,
  store: Store,
  verify: EndpointVerifier,
): SubscriptionService {
  // Any failure to run the handshake (no secret to sign with, a network error) counts as unverified.
  const passes = (sub: Subscription) => verify(sub).catch(() => false);
  const checkNewUrl = async (tenant: string, id: string, input: Partial<SubscriptionInput>) => {
    if (typeof input.url !== "string") return;
    assertConcrete(input.url);
    const current = await service.get(tenant, id);
    if (current.url !== input.url && !(await passes({ ...current, url: input.url }))) throw unverified();
  };
  return {
    ...service,
    async create(tenant, input) {
      assertConcrete(input.url);
      // Stored paused (so nothing is delivered) until the endpoint answered; removed if it never does.
      const created = await service.create(tenant, { ...input, status: "paused" });
      let ok = false;
      try {
        ok = await passes(created);
      } finally {
        if (!ok) await store.deleteSubscription(tenant, created.id);
      }
      if (!ok) throw unverified();
      return input.status === "paused" ? created : service.resume(tenant, created.id);
    },
    async update(tenant, id, input) {
      await checkNewUrl(tenant, id, input);
      return service.update(tenant, id, input);
    },
    async replace(tenant, id, input) {
      await checkNewUrl(tenant, id, input);
      return service.replace(tenant, id, input);
    },
    async resume(tenant, id) {
      const current = await service.get(tenant, id);
      if (current.status !== "active" && !(await passes(current))) throw unverified();
      return service.resume(tenant, id);
    },
  };
}
