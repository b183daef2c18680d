import { describe, expect, it, vi } from "vitest";
import { runVerifiedHandler } from "./release.ts";
import { noRelease } from "./verifier.ts";

describe("runVerifiedHandler", () => {
  it("keeps the claim when the handler succeeds, and passes its answer on", async () => {
    const release = vi.fn(async () => {});
    const ok = new Response("ok", { status: 202 });
    expect(await runVerifiedHandler(release, () => ok)).toBe(ok);
    expect(await runVerifiedHandler(release, async () => "plain value")).toBe("plain value");
    expect(release).not.toHaveBeenCalled();
  });

  it("releases when the handler answers ≥ 400, and passes the answer on", async () => {
    const release = vi.fn(async () => {});
    const failed = new Response("busy", { status: 503 });
    expect(await runVerifiedHandler(release, () => failed)).toBe(failed);
    expect(
      await runVerifiedHandler(
        release,
        () => ({ s: 400 }),
        (a) => a.s,
      ),
    ).toEqual({ s: 400 });
    expect(release).toHaveBeenCalledTimes(2);
  });

  it("releases before rethrowing the handler's error", async () => {
    const order: string[] = [];
    const release = async () => void order.push("released");
    const err = new Error("db down");
    await expect(
      runVerifiedHandler(release, async () => {
        throw err;
      }).finally(() => order.push("rejected")),
    ).rejects.toBe(err);
    expect(order).toEqual(["released", "rejected"]);
  });

  it("with noRelease (nothing claimed), passes the answer or error on without reading a status", async () => {
    const statusOf = vi.fn(() => 500);
    const failed = new Response("busy", { status: 503 });
    expect(await runVerifiedHandler(noRelease, () => failed, statusOf)).toBe(failed);
    const err = new Error("db down");
    await expect(
      runVerifiedHandler(noRelease, async () => {
        throw err;
      }),
    ).rejects.toBe(err);
    expect(statusOf).not.toHaveBeenCalled();
  });
});
