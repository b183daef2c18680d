/**
 * The `start` command of every framework example: runs the example on a SQLite file beside it, subscribes
 * its receiver, places one order, shows the verified delivery, then keeps serving until Ctrl-C.
 * (The app code worth copying is each example's `src/app.ts`; this runner only drives it.)
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ExampleHandle } from "./smoke.ts";

export async function runExample(
  name: string,
  start: (opts: { databasePath: string }) => Promise<ExampleHandle>,
): Promise<void> {
  const app = await start({ databasePath: "hookline-example.sqlite" });
  const auth = Object.entries(app.authHeaders)
    .map(([k, v]) => `-H '${k}: ${v}'`)
    .join(" ");
  console.log(`[${name}] provider ${app.providerUrl} (subscription API under ${app.subscriptionsPath})`);
  console.log(`[${name}] receiver ${app.receiverUrl}/hooks (verifies every delivery)`);

  const res = await fetch(`${app.providerUrl}${app.subscriptionsPath}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...app.authHeaders },
    body: JSON.stringify({
      url: `${app.receiverUrl}/hooks`,
      eventTypes: ["order.created"],
      secret: app.secret,
    }),
  });
  console.log(`[${name}] subscribed the receiver: ${res.status} ${await res.text()}`);
  const order = await fetch(`${app.providerUrl}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", ...app.authHeaders },
    body: JSON.stringify({ total: 42 }),
  });
  console.log(`[${name}] placed an order: ${order.status} ${await order.text()}`);
  for (let i = 0; i < 200 && app.received.length === 0; i++) await sleep(25);
  console.log(`[${name}] the receiver verified: ${JSON.stringify(app.received[0] ?? null)}`);
  console.log(`\nTry it:\n  curl ${auth} ${app.providerUrl}${app.subscriptionsPath}`);
  console.log(
    `  curl -X POST ${auth} -H 'content-type: application/json' -d '{"total":7}' ${app.providerUrl}/orders`,
  );
  console.log("Ctrl-C to stop.");

  let seen = app.received.length;
  const timer = setInterval(() => {
    for (; seen < app.received.length; seen++)
      console.log(`[${name}] delivered: ${JSON.stringify(app.received[seen])}`);
  }, 200);
  process.once("SIGINT", () => {
    clearInterval(timer);
    void app.close().then(() => process.exit(0));
  });
}
