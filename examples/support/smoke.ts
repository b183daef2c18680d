/**
 * The smoke test every framework example runs in CI: start the example, subscribe its receiver through the
 * provider's mounted API, emit through the provider's own app route, and see a verified delivery arrive.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** What each example's `startExample()` returns. */
export interface ExampleHandle {
  providerUrl: string;
  receiverUrl: string;
  /** Headers that authenticate the example's one tenant against the subscription API. */
  authHeaders: Record<string, string>;
  /** Path of the subscription collection under the provider (tenant in the path for some examples). */
  subscriptionsPath: string;
  /** The receiver's signing secret (the example subscribes with it). */
  secret: string;
  /** Events the receiver verified, in arrival order. */
  received: { type: string | null; data: unknown }[];
  close(): Promise<void>;
}

export async function smoke(
  start: (opts: { databasePath: string }) => Promise<ExampleHandle>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hookline-example-"));
  const app = await start({ databasePath: join(dir, "example.sqlite") });
  try {
    const created = await fetch(`${app.providerUrl}${app.subscriptionsPath}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...app.authHeaders },
      body: JSON.stringify({
        url: `${app.receiverUrl}/hooks`,
        eventTypes: ["order.created"],
        secret: app.secret,
      }),
    });
    if (created.status !== 201) throw new Error(`subscribe: ${created.status} ${await created.text()}`);

    const listed = await fetch(`${app.providerUrl}${app.subscriptionsPath}`, { headers: app.authHeaders });
    if (listed.status !== 200) throw new Error(`list: ${listed.status}`);

    const order = await fetch(`${app.providerUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", ...app.authHeaders },
      body: JSON.stringify({ total: 42 }),
    });
    if (order.status !== 201) throw new Error(`order: ${order.status} ${await order.text()}`);
    const { id } = (await order.json()) as { id: string };

    for (let i = 0; i < 200 && app.received.length === 0; i++) await sleep(25);
    const event = app.received[0];
    if (!event) throw new Error("no verified delivery arrived within 5 s");
    if (event.type !== "order.created") throw new Error(`unexpected event type ${event.type}`);
    if ((event.data as { id?: string }).id !== id)
      throw new Error("the delivered order is not the emitted one");
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
