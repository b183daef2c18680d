import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { RunningServer } from "./types.ts";

/** Listens on 127.0.0.1, an ephemeral port; `close()` also drops idle keep-alive sockets. */
export async function listen(server: Server): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The JSON a receiver route answers for a verified event. */
export function receivedBody(event: {
  id: string | null;
  type: string | null;
  data: unknown;
  raw: Uint8Array;
}) {
  return { id: event.id, type: event.type, data: event.data, bytes: event.raw.byteLength };
}
