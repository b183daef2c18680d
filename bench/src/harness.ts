/**
 * The bench harness: every suite in `src/suites/*.ts` default-exports `defineSuite({ name, run })`.
 *
 * Machines here are shared and noisy, so a figure only means something beside a baseline measured in the
 * same run; `ratio` (higher is better) is what a reader compares with `target`. See `../README.md`.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";

/** One row of the results table and of `results.json`. `value: null` + `note` = "could not run: why". */
export interface BenchResult {
  /** Dotted, stable name: `sign.*`, `verify.*`, `router.*`, … */
  name: string;
  /** Unit of `value`, e.g. `ops/s`, `req/s`, `ms p99`. */
  unit: string;
  value: number | null;
  /** The figure this one is compared with, measured in the same run. */
  baseline?: { name: string; value: number } | null;
  /** value vs baseline, oriented so that higher is better (for latencies, baseline / value). */
  ratio?: number | null;
  /** The ratio the issue asks for (or, with no baseline, the bound on `value`, with `unit` saying so). */
  target?: number | null;
  note?: string;
}

/** What a suite gets to run with. */
export interface BenchContext {
  /** Shorter warm-up and fewer rounds (`pnpm bench --quick`). */
  quick: boolean;
  /** Progress output (stderr), kept out of the table. */
  log(msg: string): void;
}

/** A named group of benchmarks. */
export interface BenchSuite {
  readonly name: string;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

/** Options of {@link opsPerSecond} and {@link opsPerSecondAsync}. */
export interface OpsOptions {
  quick: boolean;
  /** Length of one measured round in ms. Default 300 (100 when quick). */
  minTimeMs?: number;
}

/** Declares a suite; `src/main.ts` discovers it from the file's default export. */
export function defineSuite(s: { name: string; run(ctx: BenchContext): Promise<BenchResult[]> }): BenchSuite {
  return { name: s.name, run: s.run };
}

// A sink the optimiser cannot prove unused, so the measured calls are not dead code.
let sink: unknown;
/** @internal Read by nobody; exists so results of measured calls escape. */
export function benchSink(): unknown {
  return sink;
}

interface Plan {
  warmUpMs: number;
  roundMs: number;
  rounds: number;
}

function plan(opts: OpsOptions): Plan {
  const roundMs = opts.minTimeMs ?? (opts.quick ? 100 : 300);
  return { warmUpMs: opts.quick ? 150 : 500, roundMs, rounds: opts.quick ? 5 : 9 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Synchronous throughput: warm-up, then the median ops/s of several rounds. Calls are batched so the
 * clock is read about once per millisecond, not once per call.
 */
export async function opsPerSecond(fn: () => unknown, opts: OpsOptions): Promise<number> {
  const p = plan(opts);
  // Warm-up, growing the batch until one batch takes about a millisecond.
  let batch = 1;
  const warmEnd = performance.now() + p.warmUpMs;
  while (performance.now() < warmEnd) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink = fn();
    if (performance.now() - t0 < 1 && batch < 1 << 20) batch *= 2;
  }
  const rates: number[] = [];
  for (let r = 0; r < p.rounds; r++) {
    let ops = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < p.roundMs) {
      for (let i = 0; i < batch; i++) sink = fn();
      ops += batch;
      t = performance.now();
    }
    rates.push((ops * 1000) / (t - t0));
    // Let timers and I/O of other work run between rounds.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return median(rates);
}

/** Asynchronous throughput: like {@link opsPerSecond}, awaiting each call in turn. */
export async function opsPerSecondAsync(fn: () => Promise<unknown>, opts: OpsOptions): Promise<number> {
  const p = plan(opts);
  const warmEnd = performance.now() + p.warmUpMs;
  while (performance.now() < warmEnd) sink = await fn();
  const rates: number[] = [];
  for (let r = 0; r < p.rounds; r++) {
    let ops = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < p.roundMs) {
      sink = await fn();
      ops++;
      t = performance.now();
    }
    rates.push((ops * 1000) / (t - t0));
  }
  return median(rates);
}

/**
 * Throughput of several candidates measured in alternating rounds (A, B, C, A, B, C, …), each reported as
 * its median. On a shared, noisy machine this keeps a burst of outside load from landing on one candidate
 * only, so the ratios between them are steadier than with back-to-back {@link opsPerSecond} calls.
 * A candidate whose first call returns a promise is awaited on every call.
 */
export async function opsPerSecondEach<K extends string>(
  candidates: Record<K, () => unknown>,
  opts: OpsOptions,
): Promise<Record<K, number>> {
  // Same measured time per candidate as one opsPerSecond call, cut into three times as many shorter
  // rounds: finer alternation, so outside load spreads evenly over the candidates.
  const base = plan(opts);
  const p = { ...base, roundMs: base.roundMs / 3, rounds: base.rounds * 3 };
  const names = Object.keys(candidates) as K[];
  const isAsync = new Map<K, boolean>();
  const batch = new Map<K, number>();
  for (const name of names) {
    const fn = candidates[name];
    const first = fn();
    const async = typeof (first as Promise<unknown> | null)?.then === "function";
    if (async) await first;
    isAsync.set(name, async);
    // Warm-up, and a batch size that takes about a millisecond.
    let n = 1;
    const end = performance.now() + p.warmUpMs / names.length;
    while (performance.now() < end) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) sink = async ? await fn() : fn();
      if (performance.now() - t0 < 1 && n < 1 << 20) n *= 2;
    }
    batch.set(name, n);
  }
  const rates = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let r = 0; r < p.rounds; r++) {
    for (const name of names) {
      const fn = candidates[name];
      const async = isAsync.get(name)!;
      const n = batch.get(name)!;
      let ops = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < p.roundMs) {
        for (let i = 0; i < n; i++) sink = async ? await fn() : fn();
        ops += n;
        t = performance.now();
      }
      rates.get(name)!.push((ops * 1000) / (t - t0));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(rates.get(n)!)])) as Record<K, number>;
}

/** p50, p99 and mean of latency samples in ms (nearest-rank percentiles). NaN for no samples. */
export function percentiles(samplesMs: number[]): { p50: number; p99: number; mean: number } {
  if (samplesMs.length === 0) return { p50: Number.NaN, p99: Number.NaN, mean: Number.NaN };
  const s = [...samplesMs].sort((a, b) => a - b);
  const rank = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { p50: rank(0.5), p99: rank(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/**
 * Builds a row compared with a baseline measured in the same run. `higherIsBetter: false` (latencies)
 * orients the ratio as baseline / value, so a higher ratio is always better.
 */
export function compared(
  name: string,
  unit: string,
  value: number,
  baseline: { name: string; value: number },
  opts: { target?: number; higherIsBetter?: boolean; note?: string } = {},
): BenchResult {
  const higher = opts.higherIsBetter ?? true;
  const ratio = higher ? value / baseline.value : baseline.value / value;
  return {
    name,
    unit,
    value,
    baseline,
    ratio: Number.isFinite(ratio) ? ratio : null,
    target: opts.target ?? null,
    ...(opts.note === undefined ? {} : { note: opts.note }),
  };
}

/** Marks the stdout line on which a child process hands its result to its parent. */
const HAND_OVER_MARK = "@@hookline-bench-result ";

/** In a child process: hands `value` to the parent, on a marked stdout line (other output may surround it). */
export function handOver(value: unknown): void {
  process.stdout.write(`\n${HAND_OVER_MARK}${JSON.stringify(value)}\n`);
}

/** The value a child handed over (the last marked line of its stdout `out`), or `undefined` if none. */
export function handedOver<T>(out: string): T | undefined {
  const line = out.split("\n").findLast((l) => l.startsWith(HAND_OVER_MARK));
  return line === undefined ? undefined : (JSON.parse(line.slice(HAND_OVER_MARK.length)) as T);
}

/**
 * Runs a suite file again as a child process, with `env` added (the file reads it to know what to measure
 * there), and returns what the child handed over ({@link handOver}). Suites measure in children what must
 * not share a process with other measurements: compiled code and heap state of one process carry over to the
 * next measurement, and differ from one process to the next.
 */
export async function inChildProcess<T>(file: string, env: Record<string, string>): Promise<T> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--disable-warning=ExperimentalWarning", file],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  const result = code === 0 ? handedOver<T>(out) : undefined;
  if (result === undefined) {
    throw new Error(`${file.split("/").at(-1)} (${JSON.stringify(env)}) exited with ${code} and no result`);
  }
  return result;
}
