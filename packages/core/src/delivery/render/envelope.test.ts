import { expect, it } from "vitest";
import type { Message } from "../../model/types.ts";
import { flatEnvelope, standardEnvelope } from "./envelope.ts";

const message = (timestamp: Date): Message => ({
  id: "msg_1",
  tenant: "t1",
  type: "invoice.paid",
  data: { amount: 1 },
  timestamp,
  resourceId: null,
  createdAt: timestamp,
});

it("writes each message's own ISO timestamp (the remembered text is per instant)", () => {
  const instants = [0, 1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_001, 0, -1, 8.64e15];
  for (const ms of instants) {
    const expected = new Date(ms).toISOString();
    expect(standardEnvelope(message(new Date(ms)))).toEqual({
      type: "invoice.paid",
      timestamp: expected,
      data: { amount: 1 },
    });
    expect(flatEnvelope(message(new Date(ms)))).toMatchObject({ timestamp: expected });
  }
});

it("throws for an invalid date as toISOString does, also after a valid one", () => {
  standardEnvelope(message(new Date(5)));
  expect(() => standardEnvelope(message(new Date(Number.NaN)))).toThrow(RangeError);
  expect(() => flatEnvelope(message(new Date(Number.NaN)))).toThrow(RangeError);
  expect(standardEnvelope(message(new Date(5)))).toMatchObject({ timestamp: new Date(5).toISOString() });
});
