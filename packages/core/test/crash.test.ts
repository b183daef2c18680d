/**
 * The crash test: a child process emits N events to two subscriptions on a file-backed store and is
 * SIGKILLed mid-way; a second process on the same store finishes. A ledger kept by the receiver proves that
 * every (accepted message, subscription) pair arrived at least once, and that the only duplicates are the
 * requests that were in flight at the kill.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Receiver, startReceiver } from "./support/receiver.ts";

const CHILD = fileURLToPath(new URL("./support/crash-child.ts", import.meta.url));
const COUNT = 80;
const CONCURRENCY = 4;

let receiver: Receiver;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), "hookline-crash-"));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(mode: "emit" | "drain", storePath: string) {
  const child = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--disable-warning=ExperimentalWarning",
      CHILD,
      mode,
      storePath,
      receiver.url,
      String(COUNT),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  const lines: string[] = [];
  let stderr = "";
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    lines.push(...parts);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, exited, stderr: () => stderr };
}

it("loses nothing accepted by emit() across a SIGKILL; duplicates only for in-flight requests", async () => {
  const storePath = join(dir, "store.json");
  // A slightly slow receiver: a backlog builds up, so the kill lands with deliveries pending and in flight,
  // while events are still being emitted.
  receiver.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 5));
  const first = run("emit", storePath);
  // Kill once a quarter of the expected requests arrived.
  await receiver.waitFor(COUNT / 2, 20_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\nchild stderr:\n${first.stderr()}`);
  });
  first.child.kill("SIGKILL");
  await first.exited;
  const accepted = first.lines.filter((l) => l.startsWith("accepted ")).map((l) => l.slice(9));
  expect(accepted.length).toBeGreaterThan(0);
  const beforeKill = receiver.received.length;
  expect(beforeKill).toBeLessThan(accepted.length * 2 + CONCURRENCY); // the kill really was mid-way

  const second = run("drain", storePath);
  const code = await second.exited;
  expect(second.stderr()).toBe("");
  expect(code).toBe(0);
  expect(second.lines).toContain("drained");
  expect(receiver.received.length).toBeGreaterThan(beforeKill); // the second process did deliver

  const ledger = new Map<string, number>();
  for (const r of receiver.received) {
    const key = `${String(r.headers["webhook-id"])} ${r.url}`;
    ledger.set(key, (ledger.get(key) ?? 0) + 1);
  }
  const missing: string[] = [];
  for (const id of accepted) {
    for (const path of ["/a", "/b"]) if (!ledger.has(`${id} ${path}`)) missing.push(`${id} ${path}`);
  }
  expect(missing).toEqual([]);
  const duplicates = [...ledger.values()].reduce((sum, n) => sum + n - 1, 0);
  // At most the requests in flight at the kill are sent twice.
  expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
});
