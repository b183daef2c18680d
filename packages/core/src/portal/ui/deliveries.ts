/** Deliveries: filter by status and event type (server-side, paged), attempts in a dialog, retry, recover. */
import { type Attempt, api, type Delivery, type EventType, type Page, qs } from "./api.ts";
import { announce, beginRender, field, h, openDialog, when } from "./dom.ts";
import { createPager } from "./pager.ts";

const STATUSES = ["pending", "delivering", "succeeded", "failed"];
const pager = createPager();
const filter = { status: "", eventType: "" };

function fail(err: unknown): void {
  announce((err as Error).message, "error");
}

/** Renders the deliveries view into `root`. */
export async function renderDeliveries(root: HTMLElement, types: EventType[]): Promise<void> {
  const reload = () => void renderDeliveries(root, types).catch(fail);
  const current = beginRender();
  const page = await api<Page<Delivery>>(
    "GET",
    `deliveries${qs({ limit: "25", status: filter.status, eventType: filter.eventType, cursor: pager.cursor })}`,
  );
  if (!current()) return;
  root.replaceChildren(
    h("h2", { tabindex: "-1" }, "Deliveries"),
    filterForm(types, reload),
    page.items.length === 0
      ? h("p", {}, "No deliveries match.")
      : h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Created", "Event type", "Status", "Attempts", "Last response", "Actions"].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          h("tbody", {}, ...page.items.map((d) => row(d, reload))),
        ),
    pager.controls(page.nextCursor, "Delivery pages", reload),
    recoverForm(reload),
  );
}

function filterForm(types: EventType[], reload: () => void): HTMLElement {
  const status = h("select", { name: "status" }, h("option", { value: "" }, "Any status"));
  for (const s of STATUSES) status.append(h("option", { value: s, selected: filter.status === s }, s));
  const eventType = h("select", { name: "eventType" }, h("option", { value: "" }, "Any event type"));
  for (const t of types)
    eventType.append(h("option", { value: t.name, selected: filter.eventType === t.name }, t.name));
  const form = h(
    "form",
    { class: "toolbar", "aria-label": "Filter deliveries" },
    field("Status", status),
    field("Event type", eventType),
    h("button", { type: "submit" }, "Apply filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filter.status = status.value;
    filter.eventType = eventType.value;
    pager.reset();
    reload();
  });
  return form;
}

function row(d: Delivery, reload: () => void): HTMLElement {
  const details = h("button", { type: "button", "aria-label": `Details of delivery ${d.id}` }, "Details");
  details.addEventListener("click", () => void showAttempts(d).catch(fail));
  const retry = h("button", { type: "button", "aria-label": `Retry delivery ${d.id}` }, "Retry");
  retry.addEventListener(
    "click",
    () =>
      void api<Delivery>("POST", `deliveries/${encodeURIComponent(d.id)}/retry`)
        .then(() => {
          announce("Delivery re-scheduled.");
          reload();
        })
        .catch(fail),
  );
  return h(
    "tr",
    {},
    h("td", {}, when(d.createdAt)),
    h("td", {}, d.eventType),
    h("td", {}, h("span", { class: `badge ${d.status}` }, d.status)),
    h("td", {}, String(d.attempts)),
    h("td", {}, d.lastStatus === null ? (d.lastError ?? "—") : `HTTP ${d.lastStatus}`),
    h("td", {}, details, retry),
  );
}

function headerList(headers: Record<string, string>): HTMLElement {
  return h(
    "pre",
    {},
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n") || "(none)",
  );
}

function attemptView(a: Attempt): HTMLElement {
  const outcome = a.status === null ? `no response (${a.errorKind ?? "error"})` : `HTTP ${a.status}`;
  return h(
    "section",
    { class: "attempt", "aria-label": `Attempt ${a.number}` },
    h("h3", {}, `Attempt ${a.number}: ${outcome}`),
    h("p", {}, `${when(a.startedAt)} · ${a.durationMs} ms${a.error ? ` · ${a.error}` : ""}`),
    h("h4", {}, "Request"),
    h("p", { class: "url" }, `${a.method} ${a.url}`),
    headerList(a.requestHeaders),
    h("h4", {}, "Response"),
    headerList(a.responseHeaders),
    h("pre", {}, a.responseBody ?? "(no body)"),
  );
}

async function showAttempts(d: Delivery): Promise<void> {
  const { items } = await api<{ items: Attempt[] }>("GET", `deliveries/${encodeURIComponent(d.id)}/attempts`);
  await openDialog(`Delivery ${d.id}`, [
    h("p", {}, `${d.eventType} · ${d.status} · message ${d.messageId}`),
    ...(items.length ? items.map(attemptView) : [h("p", {}, "No attempts yet.")]),
  ]);
}

function localInputValue(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function recoverForm(reload: () => void): HTMLElement {
  const since = h("input", {
    type: "datetime-local",
    name: "since",
    required: true,
    value: localInputValue(new Date(Date.now() - 24 * 3600_000)),
  });
  const form = h(
    "form",
    { class: "toolbar", "aria-label": "Recover failed deliveries" },
    field(
      "Recover failed deliveries since",
      since,
      "Every failed delivery created since then is sent again.",
    ),
    h("button", { type: "submit" }, "Recover failed"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    api<{ count: number }>("POST", "deliveries/recover", { since: new Date(since.value).toISOString() })
      .then((r) => {
        announce(`${r.count} failed ${r.count === 1 ? "delivery" : "deliveries"} re-scheduled.`);
        reload();
      })
      .catch(fail);
  });
  return h("section", { "aria-label": "Recover" }, h("h3", {}, "Recover"), form);
}
