/** A fetch-style handler: what `createHookline()` exposes as `.fetch`. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Anything with a `.fetch(Request)` method: the hookline facade, a router, a Hono app, … */
export interface FetchApp {
  fetch: FetchHandler;
}
