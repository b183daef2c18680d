/**
 * Opt-in endpoint verification: a subscription becomes active only after its endpoint answered the signed
 * handshake (`receiver/handshake.ts`). A changed URL is verified before the change is stored.
 */
import type { SubscriptionInput, SubscriptionService } from "../contracts.ts";
import { ValidationError } from "../errors.ts";
import type { Subscription } from "../model/types.ts";
import type { Store } from "../store/types.ts";

/** Resolves `true` when the endpoint of `subscription` answered the handshake. */
export type EndpointVerifier = (subscription: Subscription) => Promise<boolean>;

const unverified = () =>
  new ValidationError("[hookline] the endpoint did not answer the verification handshake", [
    {
      field: "url",
      code: "endpoint_unverified",
      message: "the endpoint must answer the signed webhook.verification request with its challenge",
    },
  ]);

/** URI templates have no single endpoint to verify until a message fills them in. */
const isTemplate = (url: string) => url.includes("${");

/** Wraps `service` so creates and URL changes pass the handshake first. Nothing is kept when it fails. */
export function withEndpointVerification(
  service: SubscriptionService,
  store: Store,
  verify: EndpointVerifier,
): SubscriptionService {
  const checkNewUrl = async (tenant: string, id: string, input: Partial<SubscriptionInput>) => {
    if (typeof input.url !== "string" || isTemplate(input.url)) return;
    const current = await service.get(tenant, id);
    if (current.url !== input.url && !(await verify({ ...current, url: input.url }))) throw unverified();
  };
  return {
    ...service,
    async create(tenant, input) {
      if (typeof input.url !== "string" || isTemplate(input.url)) return service.create(tenant, input);
      const created = await service.create(tenant, { ...input, status: "paused" });
      if (!(await verify(created))) {
        await store.deleteSubscription(tenant, created.id);
        throw unverified();
      }
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
  };
}
