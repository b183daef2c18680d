/**
 * The process the crash test kills. Run with `node --conditions=source crash-child.ts <mode> <store.json>
 * <receiverUrl> <count>`:
 * - `emit`: creates two subscriptions, starts delivering, emits `count` events one after another and prints
 *   `accepted <id>` as soon as each emit() resolves (the test SIGKILLs it somewhere in the middle);
 * - `drain`: starts on the same store, delivers what is left, prints `drained` and exits.
 */
import { createHookline } from "../../src/hookline.ts";
import { fileStore } from "./file-store.ts";

const [mode, path, receiverUrl, countText] = process.argv.slice(2);
if (!mode || !path || !receiverUrl) throw new Error("usage: crash-child <emit|drain> <store> <url> [count]");

const store = fileStore({ path });
const hookline = createHookline({
  store,
  delivery: {
    ssrf: { allow: ["127.0.0.1"] },
    leaseMs: 500,
    timeoutMs: 500,
    concurrency: 4,
    retrySchedule: [0, 50, 50],
  },
});

if (mode === "emit") {
  for (const name of ["a", "b"]) {
    await hookline.subscriptions.create("crash", { url: `${receiverUrl}/${name}`, eventTypes: ["crash.*"] });
  }
  await hookline.start();
  const count = Number(countText ?? "50");
  for (let i = 0; i < count; i++) {
    const { message } = await hookline.emit({
      id: `m${i}`,
      type: "crash.test",
      tenant: "crash",
      data: { i },
    });
    process.stdout.write(`accepted ${message.id}\n`);
    // Pace the emits so the kill can land while events are still being accepted.
    await new Promise((r) => setTimeout(r, 2));
  }
  process.stdout.write("emitted\n");
  // Keep delivering until killed.
  setInterval(() => {}, 1000);
} else {
  await hookline.start();
  while ((await store.listUnfinishedDeliveryIds({ limit: 1 })).length > 0) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await hookline.close();
  process.stdout.write("drained\n");
  process.exit(0);
}
