/** Subscriptions: list (paged), create, edit, pause/resume, rotate secret, send a test event, delete. */
import { api, type EventType, type Page, qs, type Subscription } from "./api.ts";
import { announce, beginRender, confirmDialog, field, h, openDialog, showSecret } from "./dom.ts";
import { createPager } from "./pager.ts";

const pager = createPager();

/** Renders the subscriptions view into `root`. */
export async function renderSubscriptions(root: HTMLElement, types: EventType[]): Promise<void> {
  const reload = () =>
    void renderSubscriptions(root, types).catch((err: unknown) => announce((err as Error).message, "error"));
  const current = beginRender();
  const page = await api<Page<Subscription>>(
    "GET",
    `subscriptions${qs({ limit: "20", cursor: pager.cursor })}`,
  );
  if (!current()) return;
  const create = h("button", { type: "button", class: "primary" }, "New subscription");
  create.addEventListener("click", () => void editDialog(null, types, reload));
  const rows = page.items.map((sub) => row(sub, types, reload));
  root.replaceChildren(
    h("h2", { tabindex: "-1" }, "Subscriptions"),
    h("div", { class: "toolbar" }, create, h("span", {}, `${page.total ?? page.items.length} in total`)),
    rows.length === 0
      ? h("p", {}, "No subscriptions yet.")
      : h(
          "table",
          {},
          h("caption", { class: "hint" }, "Your webhook endpoints"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Endpoint", "Event types", "Status", "Actions"].map((t) => h("th", { scope: "col" }, t)),
            ),
          ),
          h("tbody", {}, ...rows),
        ),
    pager.controls(page.nextCursor, "Subscription pages", reload),
  );
}

function row(sub: Subscription, types: EventType[], reload: () => void): HTMLElement {
  const action = (label: string, run: () => Promise<void>, cls?: string) =>
    h(
      "button",
      {
        type: "button",
        class: cls,
        "aria-label": `${label}: ${sub.url}`,
        onclick: () => void run().catch((err: unknown) => announce(String((err as Error).message), "error")),
      },
      label,
    );
  const paused = sub.status !== "active";
  return h(
    "tr",
    {},
    h("td", { class: "url" }, sub.url, sub.description ? h("p", { class: "hint" }, sub.description) : null),
    h("td", {}, sub.eventTypes.join(", ")),
    h("td", {}, h("span", { class: `badge ${sub.status}` }, sub.status)),
    h(
      "td",
      {},
      action("Edit", () => editDialog(sub, types, reload)),
      action(paused ? "Resume" : "Pause", async () => {
        await api("POST", `subscriptions/${encodeURIComponent(sub.id)}/${paused ? "resume" : "pause"}`);
        announce(`Subscription ${paused ? "resumed" : "paused"}.`);
        reload();
      }),
      action("Rotate secret", async () => {
        const ok = await confirmDialog(
          "Rotate the signing secret?",
          "A new secret signs from now on; the previous one stays valid for a grace period.",
          "Rotate",
        );
        if (!ok) return;
        const r = await api<{ secret: string | null }>(
          "POST",
          `subscriptions/${encodeURIComponent(sub.id)}/rotate-secret`,
        );
        announce("Secret rotated.");
        await showSecret("New signing secret", r.secret);
      }),
      action("Send test", async () => {
        const r = await api<{ messageId: string }>(
          "POST",
          `subscriptions/${encodeURIComponent(sub.id)}/test`,
          {},
        );
        announce(`Test event sent (message ${r.messageId}).`);
      }),
      action(
        "Delete",
        async () => {
          if (!(await confirmDialog("Delete this subscription?", sub.url, "Delete"))) return;
          await api("DELETE", `subscriptions/${encodeURIComponent(sub.id)}`);
          announce("Subscription deleted.");
          reload();
        },
        "danger",
      ),
    ),
  );
}

/** The create/edit form in a dialog; stays open and shows the error when the server refuses. */
async function editDialog(sub: Subscription | null, types: EventType[], reload: () => void): Promise<void> {
  const known = new Set(types.map((t) => t.name));
  const url = h("input", {
    type: "url",
    name: "url",
    required: true,
    autocomplete: "url",
    value: sub?.url ?? "",
  });
  const boxes = types.map((t) =>
    h("input", {
      type: "checkbox",
      name: "eventType",
      value: t.name,
      checked: sub?.eventTypes.includes(t.name) ?? false,
    }),
  );
  const other = h("input", {
    type: "text",
    name: "patterns",
    value: (sub?.eventTypes ?? []).filter((p) => !known.has(p)).join(", "),
  });
  const description = h("input", { type: "text", name: "description", value: sub?.description ?? "" });
  const error = h("p", { class: "alert", role: "alert" });
  const formId = `form-${sub?.id ?? "new"}`;
  const save = h("button", { type: "submit", class: "primary", form: formId }, sub ? "Save" : "Create");
  const form = h(
    "form",
    { id: formId },
    field("Endpoint URL", url, "Where events are sent, e.g. https://example.com/webhooks"),
    types.length
      ? h(
          "fieldset",
          {},
          h("legend", {}, "Event types"),
          ...types.map((t, i) => h("label", {}, boxes[i]!, t.name)),
        )
      : null,
    field("Other event type patterns", other, "Comma-separated, e.g. invoice.* or *"),
    field("Description", description),
    error,
  );
  const done = openDialog(sub ? "Edit subscription" : "New subscription", [form], [save]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const eventTypes = [
      ...boxes.filter((b) => b.checked).map((b) => b.value),
      ...other.value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ];
    const body = { url: url.value.trim(), eventTypes, description: description.value.trim() || null };
    const request = sub
      ? api<Subscription>("PATCH", `subscriptions/${encodeURIComponent(sub.id)}`, body).then(() => null)
      : api<{ secret: string | null }>("POST", "subscriptions", body).then((r) => r.secret);
    request.then(
      async (secret) => {
        form.closest("dialog")?.close("saved");
        announce(sub ? "Subscription saved." : "Subscription created.");
        reload();
        if (!sub) await showSecret("Subscription created", secret);
      },
      (err: unknown) => {
        error.textContent = (err as Error).message;
      },
    );
  });
  await done;
}
