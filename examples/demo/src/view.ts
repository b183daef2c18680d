import type { DemoSummary, Snapshot } from "./demo.ts";

/** Renders the demo in a terminal: a live table on a TTY, periodic lines otherwise (CI logs). */
export function createTerminalView(out: NodeJS.WriteStream) {
  const tty = out.isTTY === true;
  let lastPrint = 0;
  let drawnLines = 0;

  const table = (s: Snapshot): string[] => {
    const head = [
      "endpoint",
      "subscription",
      "waiting",
      "retrying",
      "in flight",
      "delivered",
      "failed",
      "attempts",
    ];
    const rows = s.endpoints.map((e) => [
      e.name,
      e.subscriptionStatus,
      String(e.queued),
      String(e.retrying),
      String(e.delivering),
      String(e.succeeded),
      String(e.failed),
      String(e.attempts),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (cells: string[]) =>
      cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    return [`t=${s.elapsedSeconds.toFixed(1)}s  events emitted: ${s.emitted}`, fmt(head), ...rows.map(fmt)];
  };

  return {
    log(line: string) {
      if (tty && drawnLines > 0) {
        out.write(`\x1b[${drawnLines}F\x1b[J`);
        drawnLines = 0;
      }
      out.write(`· ${line}\n`);
    },
    progress(s: Snapshot) {
      if (tty) {
        const lines = table(s);
        if (drawnLines > 0) out.write(`\x1b[${drawnLines}F\x1b[J`);
        out.write(`${lines.join("\n")}\n`);
        drawnLines = lines.length;
      } else if (Date.now() - lastPrint > 2_000) {
        lastPrint = Date.now();
        const parts = s.endpoints.map(
          (e) => `${e.name}: ${e.succeeded} ok/${e.retrying} retrying/${e.failed} failed`,
        );
        out.write(`t=${s.elapsedSeconds.toFixed(0)}s emitted=${s.emitted}  ${parts.join("  ")}\n`);
      }
    },
    summary(s: DemoSummary) {
      if (!tty || drawnLines === 0) out.write(`${table(s).join("\n")}\n`);
      drawnLines = 0;
      out.write("\nSummary (read from the SQLite store):\n");
      for (const e of s.endpoints) {
        out.write(
          `  ${e.name.padEnd(8)} ${e.behaviour.padEnd(34)} delivered ${e.succeeded}, failed ${e.failed}, ` +
            `${e.attempts} attempts, ${e.verifiedAtReceiver} verified by the receiver — ${e.subscriptionStatus}\n`,
        );
      }
      const down = s.endpoints.find((e) => e.name === "down");
      if (down && down.queued > 0) {
        out.write(
          `\n  down: after ${down.attempts} failed attempts the circuit breaker held the other ${down.queued} back; ` +
            "they wait in the store and go out when the endpoint recovers.\n",
        );
      }
      out.write(
        s.lost === 0
          ? `\nAll ${s.emitted} events reached the healthy endpoint, signed and verified. Nothing was lost.\n`
          : `\n${s.lost} of ${s.emitted} events did not reach the healthy endpoint.\n`,
      );
    },
  };
}
