/**
 * `pnpm --filter @hookline/example-seed-002-brightpearl start`: the Brightpearl webhooks API on a SQLite
 * file, plus a loopback receiver that prints what it gets. Register the document's webhooks with the curl
 * requests printed below, then press Enter to emit events.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { startBrightpearlServer } from "./server.ts";

const TOKEN = "token-acme";
const ACCOUNT = "acme";

const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    console.log(`[receiver] ${req.method} ${req.url} ${Buffer.concat(chunks)}`);
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback`;

const app = await startBrightpearlServer({
  databasePath: process.env["DATABASE_PATH"] ?? "hookline-seed-002.sqlite",
  tokens: { [TOKEN]: ACCOUNT },
  port: Number(process.env["PORT"] ?? 3002),
  // Local development: the receiver is on loopback, which the SSRF guard refuses unless allow-listed.
  delivery: { ssrf: { allow: ["127.0.0.1", "localhost"] } },
});

const base = `${app.url}/public-api/${ACCOUNT}/integration-service`;
const auth = `--header 'brightpearl-account-token: ${TOKEN}'`;
const post = (hook: object) =>
  `  curl --request POST '${base}/webhook' ${auth} --header 'Content-Type: application/json' \\\n    --data '${JSON.stringify(hook)}'`;
const body =
  '{"accountCode": "${account-code}", "resourceType": "${resource-type}", "id": "${resource-id}", "lifecycleEvent": "${lifecycle-event}" }';

console.log(`Brightpearl webhooks API on ${base} (token "${TOKEN}", account "${ACCOUNT}")
Receiver on ${callback}

Register the document's webhooks (Example 1), pointed at the receiver:
${post({ subscribeTo: "goods-out-note", httpMethod: "POST", uriTemplate: callback, bodyTemplate: body, contentType: "application/json", idSetAccepted: true, qualityOfService: 1 })}
${post({ subscribeTo: "product.deleted", httpMethod: "GET", uriTemplate: `${callback}/\${account-code}/\${resource-type}/\${resource-id}/\${lifecycle-event}`, idSetAccepted: true, qualityOfService: 1 })}
${post({ subscribeTo: "product", httpMethod: "POST", uriTemplate: callback, bodyTemplate: body, contentType: "application/json", idSetAccepted: true, qualityOfService: 0 })}
Get them all, or an id set (Example 2):
  curl '${base}/webhook' ${auth}
  curl '${base}/webhook/1,3' ${auth}

Press Enter to emit product.deleted for products 1001-1003 and goods-out-note.created for note 42
(idSetAccepted webhooks get one request carrying the id set). Ctrl-C to stop.`);

createInterface({ input: process.stdin }).on("line", () => {
  const events = [
    ...["1001", "1002", "1003"].map((resourceId) => ({ type: "product.deleted", resourceId })),
    { type: "goods-out-note.created", resourceId: "42" },
  ];
  for (const { type, resourceId } of events) {
    app.webhooks.emit({ type, tenant: ACCOUNT, resourceId, data: { id: Number(resourceId) } }).then(
      (r) => console.log(`[app] emitted ${type} ${resourceId} → ${r.deliveries.length} webhook(s)`),
      (err: unknown) => console.error("[app] emit failed:", err),
    );
  }
});

process.once("SIGINT", () => {
  receiver.closeAllConnections();
  receiver.close();
  void app.close().then(() => process.exit(0));
});
