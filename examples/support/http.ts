/**
 * The `node:http` plumbing the examples share: serve a request listener on an ephemeral loopback port and
 * close servers without waiting for idle keep-alive connections. (Each example's hookline configuration
 * stays in its own `src/`; only this plumbing is shared.)
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** Options of {@link serveHttp}. */
export interface ServeHttpOptions {
  /** Port to listen on. Default `0` (a free one). */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
}

/** A listening server and its base URL. */
export interface HttpServerHandle {
  server: Server;
  /** `http://host:port` (an IPv6 host in brackets). */
  url: string;
  /** Closes the server and its open connections. */
  close(): Promise<void>;
}

/** Serves `listener` with `node:http` and resolves once it listens. */
export async function serveHttp(
  listener: RequestListener,
  opts: ServeHttpOptions = {},
): Promise<HttpServerHandle> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${address.includes(":") ? `[${address}]` : address}:${port}`,
    close: () => closeServers(server),
  };
}

/**
 * A request listener around an async handler: an unexpected rejection becomes a bare 500 (or a destroyed
 * socket once headers went out) instead of an unhandled rejection.
 */
export function guarded(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): RequestListener {
  return (req, res) => {
    handle(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end();
    });
  };
}

/** Closes every server, dropping their open (keep-alive) connections first. */
export async function closeServers(...servers: Server[]): Promise<void> {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** What {@link serveApp} stops, in order, on `close()`. */
export interface AppLifecycle {
  /** Stops the app first (hookline: no new work, in-flight deliveries finish). */
  stop(): Promise<void>;
  /** Releases what the app owns last, once nothing can use it (the database). */
  release(): Promise<void>;
}

/**
 * Serves an app's async request handler (errors guarded) and closes it in the order that loses nothing:
 * the app, then the HTTP server, then the app's resources.
 */
export async function serveApp(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  opts: ServeHttpOptions,
  lifecycle: AppLifecycle,
): Promise<{ url: string; close(): Promise<void> }> {
  const http = await serveHttp(guarded(handle), opts);
  return {
    url: http.url,
    async close() {
      await lifecycle.stop();
      await http.close();
      await lifecycle.release();
    },
  };
}
