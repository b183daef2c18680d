import { expect, it } from "vitest";
import { createSlots } from "./slots.ts";

it("takes free slots at once and refuses when all are held", () => {
  const slots = createSlots(2);
  expect(slots.tryAcquire()).toBe(true);
  expect(slots.tryAcquire()).toBe(true);
  expect(slots.tryAcquire()).toBe(false);
  slots.release();
  expect(slots.tryAcquire()).toBe(true);
});

it("never lets tryAcquire pass a waiter: a released slot goes to the first one waiting", async () => {
  const slots = createSlots(1);
  expect(slots.tryAcquire()).toBe(true);
  const order: string[] = [];
  const waiting = slots.acquire().then(() => order.push("waiter"));
  slots.release(); // handed to the waiter, still held
  expect(slots.tryAcquire()).toBe(false);
  await waiting;
  expect(order).toEqual(["waiter"]);
  slots.release();
  expect(slots.tryAcquire()).toBe(true);
});

it("without a limit always has a slot", async () => {
  const slots = createSlots(null);
  for (let i = 0; i < 100; i++) expect(slots.tryAcquire()).toBe(true);
  await expect(slots.acquire()).resolves.toBeUndefined();
});
