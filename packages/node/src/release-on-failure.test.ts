import { createServer, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { noRelease } from "@hookline/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { releaseOnFailedResponse } from "./release-on-failure.ts";

type Respond = (res: ServerResponse) => void;
const release = vi.fn(async () => {});
let respond: Respond = (res) => res.end();
let released: Promise<void> = Promise.resolve();
const server = createServer((_req, res) => {
  released = new Promise<void>((resolve) => {
    res.once("close", () => setImmediate(resolve)); // after the helper's listeners ran
  });
  releaseOnFailedResponse(res, release);
  respond(res);
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function exchange(fn: Respond): Promise<void> {
  release.mockClear();
  respond = fn;
  await (await fetch(url)).arrayBuffer();
  await released;
}

describe("releaseOnFailedResponse", () => {
  it("keeps the claim when the response succeeds (2xx, 3xx)", async () => {
    await exchange((res) => res.writeHead(200).end("ok"));
    await exchange((res) => res.writeHead(304).end());
    expect(release).not.toHaveBeenCalled();
  });

  it("releases once when the response finishes with a status ≥ 400", async () => {
    await exchange((res) => res.writeHead(500).end("boom"));
    expect(release).toHaveBeenCalledTimes(1);
    await exchange((res) => res.writeHead(422).end());
    expect(release).toHaveBeenCalledTimes(1);
  });

  it("releases when the connection closes before the response finished", async () => {
    release.mockClear();
    respond = (res) => res.writeHead(200).write("partial"); // never ended
    await new Promise<void>((resolve, reject) => {
      const req = request(url, (res) => res.once("data", () => req.destroy()));
      req.on("close", resolve).on("error", reject).end();
    });
    await released;
    expect(release).toHaveBeenCalledTimes(1);
  });

  it("watches nothing when there is nothing to release (noRelease: no dedupe, or no id)", () => {
    const res = { once: vi.fn(), on: vi.fn() } as unknown as ServerResponse;
    releaseOnFailedResponse(res, noRelease);
    expect(res.once).not.toHaveBeenCalled();
    expect(res.on).not.toHaveBeenCalled();
  });
});
