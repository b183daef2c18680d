import { describe, expect, it } from "vitest";
import { deliveries, login, setup } from "./test-support.ts";

describe("portal tenant isolation", () => {
  it("tenant B can neither see nor change tenant A's subscriptions and deliveries", async () => {
    const { portal, hookline } = setup();
    const a = await login(portal, "tenant-a");
    const b = await login(portal, "tenant-b");
    const created = (await (
      await a.call("POST", "subscriptions", { url: "https://a.example/hook", eventTypes: ["invoice.paid"] })
    ).json()) as { subscription: { id: string } };
    const subId = created.subscription.id;
    await hookline.store.insertDeliveries(deliveries("tenant-a", 3, new Date("2026-11-24T12:00:00Z")));
    const deliveryId = "tenant-a-d1";

    // A sees its own data.
    expect((await a.call("GET", `subscriptions/${subId}`)).status).toBe(200);
    expect((await a.call("GET", `deliveries/${deliveryId}`)).status).toBe(200);

    // B's lists are empty.
    expect(await (await b.call("GET", "subscriptions")).json()).toMatchObject({ items: [], total: 0 });
    expect(await (await b.call("GET", "deliveries")).json()).toMatchObject({ items: [] });
    expect(await (await b.call("GET", `deliveries?subscriptionId=${subId}`)).json()).toMatchObject({
      items: [],
    });

    // Every read and write of A's ids through B's session is a 404.
    for (const [method, path, body] of [
      ["GET", `subscriptions/${subId}`],
      ["GET", `subscriptions/${subId}/secret`],
      ["PATCH", `subscriptions/${subId}`, { url: "https://b.example/steal" }],
      ["POST", `subscriptions/${subId}/pause`],
      ["POST", `subscriptions/${subId}/resume`],
      ["POST", `subscriptions/${subId}/rotate-secret`],
      ["POST", `subscriptions/${subId}/test`, {}],
      ["DELETE", `subscriptions/${subId}`],
      ["GET", `deliveries/${deliveryId}`],
      ["GET", `deliveries/${deliveryId}/attempts`],
      ["POST", `deliveries/${deliveryId}/retry`],
    ] as const) {
      const res = await b.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // Recovering "all failed" in B touches none of A's.
    const recover = await b.call("POST", "deliveries/recover", { since: "2026-11-24T00:00:00Z" });
    expect(await recover.json()).toEqual({ count: 0 });

    // A's data is untouched.
    const sub = await hookline.subscriptions.get("tenant-a", subId);
    expect(sub).toMatchObject({ url: "https://a.example/hook", status: "active", version: 1 });
    expect(await hookline.store.getDelivery("tenant-a", deliveryId)).toMatchObject({ status: "failed" });
  });

  it("hides secret values in subscription views and reveals the current one only on request", async () => {
    const { portal } = setup();
    const a = await login(portal, "tenant-a");
    const created = (await (
      await a.call("POST", "subscriptions", { url: "https://a.example/hook", eventTypes: ["invoice.paid"] })
    ).json()) as { subscription: { id: string; secrets: object[] }; secret: string };
    expect(created.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(created.subscription)).not.toContain(created.secret);
    const listed = await (await a.call("GET", "subscriptions")).text();
    expect(listed).not.toContain(created.secret);
    const revealed = await (await a.call("GET", `subscriptions/${created.subscription.id}/secret`)).json();
    expect(revealed).toEqual({ secret: created.secret });
    const rotated = (await (
      await a.call("POST", `subscriptions/${created.subscription.id}/rotate-secret`)
    ).json()) as { secret: string };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
  });

  it("lets a tenant set only the writable fields", async () => {
    const { portal, hookline } = setup();
    const a = await login(portal, "tenant-a");
    const res = await a.call("POST", "subscriptions", {
      url: "https://a.example/hook",
      eventTypes: ["invoice.paid"],
      id: "chosen",
      tenant: "tenant-b",
      status: "disabled",
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    });
    const { subscription } = (await res.json()) as {
      subscription: { id: string; tenant: string; status: string };
    };
    expect(subscription.id).not.toBe("chosen");
    expect(subscription).toMatchObject({ tenant: "tenant-a", status: "active" });
    expect((await hookline.subscriptions.list("tenant-b")).total).toBe(0);
  });
});
