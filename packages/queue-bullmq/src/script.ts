/** Runs a Lua script by its SHA1 (EVALSHA), loading it on `NOSCRIPT` (a restarted or flushed Redis). */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A Lua script with its SHA1. */
export interface LuaScript {
  source: string;
  sha: string;
}

/** Prepares a script once per module. */
export function lua(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Runs `script` with `keys` and `args`; never touches the client's command table (no `defineCommand`). */
export async function runScript(
  client: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
    return client.eval(script.source, keys.length, ...keys, ...args);
  }
}
