import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { runWorker, type WorkerHost } from "@hookline/queue-bullmq";
import { describe, expect, it } from "vitest";
import { until } from "./helpers/services.ts";

function host(calls: string[], fail = false): WorkerHost {
  return {
    async start(opts) {
      calls.push(`start:${opts?.role}`);
      if (fail) throw new Error("no Redis");
    },
    async close(opts) {
      calls.push(`close:${opts?.timeoutMs}`);
    },
  };
}

describe("runWorker", () => {
  it("starts as a worker and closes gracefully on a signal, then runs afterClose", async () => {
    const calls: string[] = [];
    const worker = await runWorker({
      hookline: host(calls),
      signals: ["SIGUSR2"],
      shutdownTimeoutMs: 1234,
      afterClose: async () => void calls.push("afterClose"),
    });
    expect(calls).toEqual(["start:worker"]);
    process.emit("SIGUSR2", "SIGUSR2");
    await worker.stopped;
    expect(calls).toEqual(["start:worker", "close:1234", "afterClose"]);
    expect(process.listenerCount("SIGUSR2")).toBe(0);
    await worker.stop(); // idempotent
    expect(calls).toHaveLength(3);
  });

  it("leaves no signal handler behind when start fails", async () => {
    const before = process.listenerCount("SIGUSR2");
    await expect(runWorker({ hookline: host([], true), signals: ["SIGUSR2"] })).rejects.toThrow("no Redis");
    expect(process.listenerCount("SIGUSR2")).toBe(before);
  });
});

describe("hookline-bullmq-worker (bin)", () => {
  const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
  const node = (args: string[]) =>
    spawn(process.execPath, ["--conditions=source", "--disable-warning=ExperimentalWarning", cli, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });

  it("runs the module's hookline instance as a worker and exits 0 after SIGTERM", async () => {
    const child = node([fileURLToPath(new URL("./fixtures/cli-host.ts", import.meta.url))]);
    const exited = once(child, "exit");
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(() => out.includes("started worker"), "the worker to start");
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(out).toContain("closed 25000");
    expect(code).toBe(0);
  });

  it("exits 2 with a usage line without a module", async () => {
    const child = node([]);
    const exited = once(child, "exit");
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const [code] = await exited;
    expect(code).toBe(2);
    expect(err).toContain("usage: hookline-bullmq-worker <module>");
  });
});
