/**
 * Hash of the portal UI sources (`src/portal/ui/**` and the build script), stamped into `ui.generated.ts` by
 * `scripts/build-portal-ui.mjs`; a test compares the two so a stale bundle fails the build.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else out.push(full);
  }
  return out;
}

/** SHA-256 (hex) over the UI sources under `packageDir`, line endings normalised. */
export async function uiSourceHash(packageDir: string): Promise<string> {
  const files = [
    ...(await filesUnder(join(packageDir, "src/portal/ui"))),
    join(packageDir, "scripts/build-portal-ui.mjs"),
  ];
  const hash = createHash("sha256");
  for (const file of files.map((f) => relative(packageDir, f).split("\\").join("/")).sort()) {
    hash.update(`${file}\0`);
    hash.update((await readFile(join(packageDir, file), "utf8")).replace(/\r\n/g, "\n"));
    hash.update("\0");
  }
  return hash.digest("hex");
}
