import { describe, expect, it } from "vitest";
import { HooklineError, ValidationError } from "../errors.ts";
import { problem, problemFromError } from "./problem.ts";

describe("problem", () => {
  it("builds an RFC 9457 application/problem+json response", async () => {
    const res = problem(404, "No such subscription", { headers: { "x-trace": "1" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-trace")).toBe("1");
    expect(await res.json()).toEqual({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      detail: "No such subscription",
      code: "not_found",
    });
  });

  it("keeps 4xx hookline errors (message without prefix, issues); hides everything else", () => {
    const v = problemFromError(
      new ValidationError("[hookline] invalid url", [{ field: "url", message: "bad" }]),
    );
    expect(v).toEqual({
      internal: false,
      problem: expect.objectContaining({
        status: 422,
        detail: "invalid url",
        errors: [{ field: "url", message: "bad" }],
      }),
    });
    const cursor = problemFromError(new HooklineError("bad_request", "[hookline] [memory] malformed cursor"));
    expect(cursor.problem.detail).toBe("malformed cursor");
    const down = problemFromError(
      new HooklineError("store_unavailable", "[hookline] db at 10.0.0.5 refused"),
    );
    expect(down).toEqual({ internal: true, problem: expect.objectContaining({ status: 503 }) });
    expect(down.problem.detail).not.toContain("10.0.0.5");
    for (const err of [new Error("secret"), new HooklineError("internal", "x"), "string", null]) {
      const p = problemFromError(err);
      expect(p.internal).toBe(true);
      expect(p.problem).toMatchObject({
        status: 500,
        code: "internal",
        detail: "An unexpected error occurred.",
      });
    }
  });
});
