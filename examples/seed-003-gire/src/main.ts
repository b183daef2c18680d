/**
 * `pnpm --filter @hookline/example-seed-003-gire start`: the Gire v3 webhooks API on a SQLite file, plus a
 * loopback receiver that prints what it gets. Subscribe the receiver with the document's curl request, then
 * press Enter to emit a PUD event.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { hubSignature, verifyWebhook } from "@hookline/core";
import { startGireServer } from "./server.ts";

const TOKEN = "token-company";
const COMPANY = "company-1";
const SECRET = "supersecret";

const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    const signature = req.headers["x-hub-signature-256"];
    let verdict = "unsigned";
    if (typeof signature === "string") {
      try {
        verifyWebhook(req.headers, raw, { scheme: hubSignature(), secrets: [SECRET] });
        verdict = `${signature} (valid for "${SECRET}")`;
      } catch {
        verdict = `${signature} (NOT valid for "${SECRET}")`;
      }
    }
    console.log(`[receiver] ${req.method} ${req.url}\n  X-Hub-Signature-256: ${verdict}\n  ${raw}`);
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;

const app = await startGireServer({
  databasePath: process.env["DATABASE_PATH"] ?? "hookline-seed-003.sqlite",
  tokens: { [TOKEN]: COMPANY },
  port: Number(process.env["PORT"] ?? 3003),
  // Local development: the receiver is on loopback, which the SSRF guard refuses unless allow-listed.
  delivery: { ssrf: { allow: ["127.0.0.1", "localhost"] } },
});

const auth = `--header 'x-api-token: ${TOKEN}'`;
console.log(`Gire v3 webhooks API on ${app.url}/api/v3 (token "${TOKEN}", company "${COMPANY}")
Receiver on ${receiverUrl}

Create a webhook (the document's request):
  curl --request POST --url '${app.url}/api/v3/webhooks' ${auth} --header 'Content-Type: application/json' \\
    --data '{"callbackUrl":"${receiverUrl}","enabledEvents":["pud:status_update","pud:price_update"],"secret":"${SECRET}"}'
Get all webhooks / one webhook:
  curl '${app.url}/api/v3/webhooks' ${auth}
  curl '${app.url}/api/v3/webhooks/{id}' ${auth}
Update / delete:
  curl --request PATCH '${app.url}/api/v3/webhooks/{id}' ${auth} --header 'Content-Type: application/json' \\
    --data '{"enabledEvents":["pud:price_update"]}'
  curl --request DELETE '${app.url}/api/v3/webhooks/{id}' ${auth}

Press Enter to emit a PUD event (status and price updates in turn). Ctrl-C to stop.`);

let count = 0;
const pudId = "f0bdb31f-b243-4f5f-90d7-440f1897d681";
createInterface({ input: process.stdin }).on("line", () => {
  const statusUpdate = count++ % 2 === 0;
  const emitted = statusUpdate
    ? app.webhooks.emit({
        type: "pud:status_update",
        tenant: COMPANY,
        data: {
          pudId,
          referenceNumber: "ref-number",
          prevStatus: "pre_trip_inspection",
          newStatus: "in_progress",
        },
      })
    : app.webhooks.emit({
        type: "pud:price_update",
        tenant: COMPANY,
        data: { pudId, referenceNumber: null, prevPrice: 429, newPrice: 529 },
      });
  emitted.then(
    (r) => console.log(`[app] emitted ${r.message.type} ${r.message.id} → ${r.deliveries.length} webhook(s)`),
    (err: unknown) => console.error("[app] emit failed:", err),
  );
});

process.once("SIGINT", () => {
  receiver.closeAllConnections();
  receiver.close();
  void app.close().then(() => process.exit(0));
});
