/**
 * Signing and verification throughput, hookline beside the libraries receivers already use, in one run:
 * `standardwebhooks` and `svix` (Standard Webhooks v1), `@octokit/webhooks-methods` (X-Hub-Signature-256)
 * and `stripe` (t=…,v1=…). Bodies of 1 KiB and 64 KiB, passed as strings to every library alike.
 */
import {
  hubSignature,
  publicKeyFor,
  type SigningScheme,
  standardWebhooks,
  standardWebhooksEd25519,
  stripeSignature,
} from "@hookline/core";
import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import { Webhook as StandardWebhook } from "standardwebhooks";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import { type BenchContext, type BenchResult, compared, defineSuite, opsPerSecondEach } from "../harness.ts";

const SIZES = [
  ["1k", 1024],
  ["64k", 64 * 1024],
] as const;

/** A JSON body of about `bytes` bytes (ASCII, so string length = byte length). */
function bodyOf(bytes: number): string {
  const head = '{"type":"invoice.paid","data":{"pad":"';
  const tail = '"}}';
  return head + "x".repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}

const OPS = "ops/s";
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Measures the candidates in alternating rounds, after checking that each one works: a verifier that
 * throws or answers `false` on its own signature must not be timed.
 */
async function measureAll<K extends string>(
  candidates: Record<K, () => unknown>,
  ctx: BenchContext,
): Promise<Record<K, number>> {
  for (const [name, fn] of Object.entries(candidates) as [K, () => unknown][]) {
    if ((await fn()) === false) throw new Error(`${name} rejected its own signature`);
  }
  return opsPerSecondEach(candidates, ctx);
}

async function standardRows(size: string, body: string, ctx: BenchContext): Promise<BenchResult[]> {
  const scheme = standardWebhooks();
  const secret = scheme.generateSecret();
  const ts = nowSeconds();
  const input = { id: "msg_bench", timestamp: ts, body, secrets: [secret] };
  const headers = scheme.sign(input);
  const svixHeaders = {
    "svix-id": headers["webhook-id"]!,
    "svix-timestamp": headers["webhook-timestamp"]!,
    "svix-signature": headers["webhook-signature"]!,
  };
  const opts = { secrets: [secret] };
  const std = new StandardWebhook(secret);
  const svix = new SvixWebhook(secret);
  const stamp = new Date(ts * 1000);

  ctx.log(`standard v1 ${size}`);
  const signs = await measureAll(
    {
      std: () => std.sign("msg_bench", stamp, body),
      svix: () => svix.sign("msg_bench", stamp, body),
      ours: () => scheme.sign(input),
    },
    ctx,
  );
  const verifies = await measureAll(
    {
      std: () => std.verify(body, headers),
      svix: () => svix.verify(body, svixHeaders),
      ours: () => scheme.verify(headers, body, opts),
      oursSvix: () => scheme.verify(svixHeaders, body, opts),
    },
    ctx,
  );
  const [stdSign, svixSign, ourSign] = [signs.std, signs.svix, signs.ours];
  const [stdVerify, svixVerify, ourVerify, ourSvixVerify] = [
    verifies.std,
    verifies.svix,
    verifies.ours,
    verifies.oursSvix,
  ];

  const stdSignBase = { name: `standardwebhooks.sign.${size}`, value: stdSign };
  const stdVerifyBase = { name: `standardwebhooks.verify.${size}`, value: stdVerify };
  const svixVerifyBase = { name: `svix.verify.${size}`, value: svixVerify };
  return [
    { name: stdSignBase.name, unit: OPS, value: stdSign },
    { name: `svix.sign.${size}`, unit: OPS, value: svixSign },
    { name: stdVerifyBase.name, unit: OPS, value: stdVerify },
    { name: svixVerifyBase.name, unit: OPS, value: svixVerify },
    compared(`sign.standard-v1.${size}`, OPS, ourSign, stdSignBase),
    compared(`verify.standard-v1.${size}`, OPS, ourVerify, stdVerifyBase, { target: 2.0 }),
    compared(`verify.standard-v1.svix-headers.${size}`, OPS, ourSvixVerify, svixVerifyBase, { target: 2.0 }),
  ];
}

async function hubRows(size: string, body: string, ctx: BenchContext): Promise<BenchResult[]> {
  const scheme = hubSignature();
  const secret = scheme.generateSecret();
  const input = { id: "msg_bench", timestamp: nowSeconds(), body, secrets: [secret] };
  const headers = scheme.sign(input);
  const signature = headers["x-hub-signature-256"]!;
  const opts = { secrets: [secret] };

  ctx.log(`hub ${size}`);
  const signs = await measureAll(
    { octokit: () => octokitSign(secret, body), ours: () => scheme.sign(input) },
    ctx,
  );
  const verifies = await measureAll(
    { octokit: () => octokitVerify(secret, body, signature), ours: () => scheme.verify(headers, body, opts) },
    ctx,
  );
  const [okSign, ourSign, okVerify, ourVerify] = [signs.octokit, signs.ours, verifies.octokit, verifies.ours];
  const signBase = { name: `octokit.sign.${size}`, value: okSign };
  const verifyBase = { name: `octokit.verify.${size}`, value: okVerify };
  return [
    { name: signBase.name, unit: OPS, value: okSign },
    { name: verifyBase.name, unit: OPS, value: okVerify },
    compared(`sign.hub.${size}`, OPS, ourSign, signBase),
    compared(`verify.hub.${size}`, OPS, ourVerify, verifyBase, { target: 1.0 }),
  ];
}

async function stripeRows(size: string, body: string, ctx: BenchContext): Promise<BenchResult[]> {
  const scheme = stripeSignature();
  const secret = scheme.generateSecret();
  const ts = nowSeconds();
  const headers = scheme.sign({ id: "evt_bench", timestamp: ts, body, secrets: [secret] });
  const header = headers["stripe-signature"]!;
  const signature = new Stripe("sk_test_bench").webhooks.signature;
  if (!signature) throw new Error("stripe.webhooks.signature is not available");
  const opts = { secrets: [secret] };

  ctx.log(`stripe ${size}`);
  const r = await measureAll(
    {
      stripe: () => signature.verifyHeader(body, header, secret, 300),
      ours: () => scheme.verify(headers, body, opts),
    },
    ctx,
  );
  const [theirs, ours] = [r.stripe, r.ours];
  const base = { name: `stripe.verifyHeader.${size}`, value: theirs };
  return [{ name: base.name, unit: OPS, value: theirs }, compared(`verify.stripe.${size}`, OPS, ours, base)];
}

async function ed25519Rows(size: string, body: string, ctx: BenchContext): Promise<BenchResult[]> {
  const scheme: SigningScheme = standardWebhooksEd25519();
  const key = scheme.generateSecret();
  const input = { id: "msg_bench", timestamp: nowSeconds(), body, secrets: [key] };
  const headers = scheme.sign(input);
  const opts = { secrets: [publicKeyFor(key)] };
  ctx.log(`standard v1a ${size}`);
  const { sign, verify } = await measureAll(
    { sign: () => scheme.sign(input), verify: () => scheme.verify(headers, body, opts) },
    ctx,
  );
  return [
    { name: `sign.standard-v1a.${size}`, unit: OPS, value: sign, note: "no reference library signs v1a" },
    {
      name: `verify.standard-v1a.${size}`,
      unit: OPS,
      value: verify,
      note: "no reference library verifies v1a",
    },
  ];
}

/** Runs one group; a group that throws becomes a row saying why, and the others still run. */
async function guarded(name: string, run: () => Promise<BenchResult[]>): Promise<BenchResult[]> {
  try {
    return await run();
  } catch (err) {
    return [
      { name, unit: OPS, value: null, note: `could not run: ${err instanceof Error ? err.message : err}` },
    ];
  }
}

export default defineSuite({
  name: "signing",
  async run(ctx) {
    const rows: BenchResult[] = [];
    for (const [size, bytes] of SIZES) {
      const body = bodyOf(bytes);
      rows.push(...(await guarded(`verify.standard-v1.${size}`, () => standardRows(size, body, ctx))));
      rows.push(...(await guarded(`verify.hub.${size}`, () => hubRows(size, body, ctx))));
      rows.push(...(await guarded(`verify.stripe.${size}`, () => stripeRows(size, body, ctx))));
      rows.push(...(await guarded(`verify.standard-v1a.${size}`, () => ed25519Rows(size, body, ctx))));
    }
    return rows;
  },
});
