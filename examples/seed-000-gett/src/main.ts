/**
 * `pnpm --filter @hookline/example-seed-000-gett start`: the Gett subscribers API on a SQLite file, plus a
 * loopback receiver that prints what it gets. Subscribe the receiver with the document's curl request, then
 * press Enter to emit a business report and a status change.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { SECRET_ID_HEADER, startGettServer } from "./server.ts";

const TOKEN = "token-company";
const COMPANY = "6aa6cf6e-3c41-4f0e-9b8e-0d1a2b3c4d5e";

const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const token = req.headers[SECRET_ID_HEADER];
    console.log(
      `[receiver] ${req.method} ${req.url}\n  ${SECRET_ID_HEADER}: ${token}\n  ${Buffer.concat(chunks)}`,
    );
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/endpoint`;

const app = await startGettServer({
  databasePath: process.env["DATABASE_PATH"] ?? "hookline-seed-000.sqlite",
  tokens: { [TOKEN]: COMPANY },
  port: Number(process.env["PORT"] ?? 3000),
  // Local development: the receiver is on loopback, which the SSRF guard refuses unless allow-listed.
  delivery: { ssrf: { allow: ["127.0.0.1", "localhost"] } },
});

console.log(`Gett business API (webhooks) on ${app.url}/v1 (token "${TOKEN}", businessId ${COMPANY})
Receiver on ${receiverUrl}

Subscribe (the document's request, pointed at the receiver; compare the secret_id with what it receives):
  curl --request POST \\
    --url '${app.url}/v1/subscribers?businessId=${COMPANY}' \\
    --header 'Accept: application/json' \\
    --header 'Authorization: Bearer ${TOKEN}' \\
    --header 'Content-Type: application/json' \\
    --data '{"hook_address":"${receiverUrl}","event_types":"business_report"}'
List subscribers:
  curl '${app.url}/v1/subscribers?businessId=${COMPANY}' --header 'Authorization: Bearer ${TOKEN}'

Press Enter to emit a business_report and a status_changed event (a business_report subscriber gets only
the first). Ctrl-C to stop.`);

let count = 0;
createInterface({ input: process.stdin }).on("line", () => {
  count++;
  const events = [
    { type: "business_report", data: { report_id: `r-${count}` } },
    { type: "status_changed", data: { order_id: `${1233 + count}`, status: "Completed" } },
  ];
  for (const { type, data } of events) {
    app.webhooks.emit({ type, tenant: COMPANY, data }).then(
      (r) => console.log(`[app] emitted ${type} ${r.message.id} → ${r.deliveries.length} subscriber(s)`),
      (err: unknown) => console.error("[app] emit failed:", err),
    );
  }
});

process.once("SIGINT", () => {
  receiver.closeAllConnections();
  receiver.close();
  void app.close().then(() => process.exit(0));
});
