import type { Secret } from "./types.ts";

/** The secrets still live at `atMs` (epoch ms): no expiry, or an expiry after it. One rule for signing, the handshake and rotation. */
export function liveSecrets(secrets: readonly Secret[], atMs: number): Secret[] {
  return secrets.filter((s) => s.expiresAt === null || s.expiresAt.getTime() > atMs);
}
