import type { ServerResponse } from "node:http";

/**
 * Writes a web `Response` to a Node response: status, headers (several `set-cookie` kept apart) and the
 * body streamed with backpressure (waits for `drain`). Stops and cancels the body when the client goes away.
 */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  const body = response.body;
  if (body === null || res.req?.method === "HEAD") {
    await body?.cancel();
    res.end();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      if (res.destroyed) {
        await reader.cancel();
        return;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    res.destroy(err instanceof Error ? err : undefined);
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
