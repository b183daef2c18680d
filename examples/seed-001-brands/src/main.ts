/**
 * `pnpm --filter @hookline/example-seed-001-brands start`: the brand webhooks API on a SQLite file, plus a
 * loopback receiver that checks each delivery's `X-Signature` against the brand's webhook keys. Create a
 * webhook with the document's request, then press Enter to emit a `Showings` event.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { verifyWebhook } from "@hookline/core";
import { brandSigning } from "./api.ts";
import { startBrandServer } from "./server.ts";

const BRAND = "8929cf8b-6bcc-484a-a7a6-242eaf70cb7a";

const app = await startBrandServer({
  databasePath: process.env["DATABASE_PATH"] ?? "hookline-seed-001.sqlite",
  brands: [BRAND],
  port: Number(process.env["PORT"] ?? 3001),
  // Local development: the receiver is on loopback, which the SSRF guard refuses unless allow-listed.
  delivery: { ssrf: { allow: ["127.0.0.1", "localhost"] } },
});

const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const raw = Buffer.concat(chunks);
    // A real receiver knows its one key; this one tries the keys of every webhook of the brand.
    const { items } = await app.webhooks.subscriptions.list(BRAND, { limit: 100 });
    const signer = items.find((s) => {
      try {
        verifyWebhook(req.headers, raw, { scheme: brandSigning, secrets: s.secrets.map((k) => k.value) });
        return true;
      } catch {
        return false;
      }
    });
    const verdict = signer ? `valid (key of webhook ${signer.id})` : "INVALID";
    console.log(
      `[receiver] ${req.method} ${req.url}\n  X-Signature: ${req.headers["x-signature"]} ${verdict}\n  ${raw}`,
    );
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

const hooks = `${app.url}/brands/${BRAND}/webhooks`;
console.log(`Brand webhooks API on ${app.url} (brand ${BRAND})
Receiver on ${receiverUrl}

Create a brand webhook (the document's request, pointed at the receiver):
  curl --request POST '${hooks}' --header 'Content-Type: application/json' \\
    --data '{"topic":"Showings","url":"${receiverUrl}"}'
Get all brand webhooks, or those of one topic:
  curl '${hooks}'
  curl '${hooks}?topic=Showings'
Delete one (soft delete: it receives nothing more):
  curl --request DELETE '${hooks}/{wid}'

Press Enter to emit a Showings event. Ctrl-C to stop.`);

let count = 0;
createInterface({ input: process.stdin }).on("line", () => {
  const data = { showing_id: `showing-${++count}`, status: "booked" };
  app.webhooks.emit({ type: "Showings", tenant: BRAND, data }).then(
    (r) => console.log(`[app] emitted Showings ${r.message.id} → ${r.deliveries.length} webhook(s)`),
    (err: unknown) => console.error("[app] emit failed:", err),
  );
});

process.once("SIGINT", () => {
  receiver.closeAllConnections();
  receiver.close();
  void app.close().then(() => process.exit(0));
});
