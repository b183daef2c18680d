/** The portal's front end: loads the session, then renders one section at a time (hash navigation). */
import { ApiError, api, type EventType, setCsrfToken } from "./api.ts";
import { renderCatalog } from "./catalog.ts";
import { renderChart } from "./chart.ts";
import { renderDeliveries } from "./deliveries.ts";
import { announce, h } from "./dom.ts";
import { renderSubscriptions } from "./subscriptions.ts";

const views: Record<string, (root: HTMLElement, types: EventType[]) => void | Promise<void>> = {
  subscriptions: renderSubscriptions,
  deliveries: renderDeliveries,
  "event-types": renderCatalog,
  activity: (root) => renderChart(root),
};

async function show(root: HTMLElement, types: EventType[], focus: boolean): Promise<void> {
  const name = location.hash.slice(1) in views ? location.hash.slice(1) : "subscriptions";
  for (const a of document.querySelectorAll("nav a")) {
    if (a.getAttribute("href") === `#${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (focus) announce("");
  try {
    await views[name]!(root, types);
    if (focus) root.querySelector<HTMLElement>("h2")?.focus();
  } catch (err) {
    announce((err as Error).message, "error");
  }
}

async function boot(): Promise<void> {
  const root = document.getElementById("view")!;
  try {
    const session = await api<{ tenant: string; csrfToken: string }>("GET", "session");
    setCsrfToken(session.csrfToken);
    document.getElementById("tenant")!.textContent = `Account: ${session.tenant}`;
  } catch (err) {
    const expired = err instanceof ApiError && err.status === 401;
    root.replaceChildren(
      h("h2", {}, expired ? "Your session has expired" : "The portal could not load"),
      h("p", {}, expired ? "Ask the application that sent you here for a new link." : (err as Error).message),
    );
    return;
  }
  const { items: types } = await api<{ items: EventType[] }>("GET", "event-types");
  window.addEventListener("hashchange", () => void show(root, types, true));
  await show(root, types, false);
}

void boot();
