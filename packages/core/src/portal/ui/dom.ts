/** Tiny DOM helpers: element builder (text only, never HTML), status messages, modal dialogs. */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | ((event: Event) => void) | undefined>;

/** Creates an element. `on…` attributes become listeners; strings are set as text, never parsed as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, "");
    else if (typeof value === "string") el.setAttribute(name, value);
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/** A labelled form field: `<div><label for>…</label><input id>…</div>`. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2)}`;
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

/** Announces a status message (polite) or an error (assertive) in the page's live regions. */
export function announce(message: string, kind: "status" | "error" = "status"): void {
  const status = document.getElementById("status")!;
  const alert = document.getElementById("alert")!;
  status.textContent = kind === "status" ? message : "";
  alert.textContent = kind === "error" ? message : "";
}

let renders = 0;

/**
 * Starts rendering a view; the returned function tells whether this render is still the latest one. A view
 * whose data arrives after the user moved on (another filter, page or section) must not overwrite the page.
 */
export function beginRender(): () => boolean {
  const mine = ++renders;
  return () => mine === renders;
}

/** A readable date-time. */
export function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}

/**
 * Opens a modal dialog titled `title` with `body`; resolves when it closes, with its return value.
 * Focus moves into the dialog and back to the element that opened it.
 */
export function openDialog(title: string, body: Child[], buttons: HTMLButtonElement[] = []): Promise<string> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = `d-${Math.random().toString(36).slice(2)}`;
  const close = h("button", { type: "button", onclick: () => dialog.close("cancel") }, "Close");
  const dialog = h(
    "dialog",
    { "aria-labelledby": titleId },
    h("h2", { id: titleId }, title),
    ...body,
    h("div", { class: "actions" }, ...buttons, close),
  );
  document.body.append(dialog);
  dialog.showModal();
  const first = dialog.querySelector<HTMLElement>("[autofocus], input, select, textarea");
  (first ?? close).focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      dialog.remove();
      opener?.focus();
      resolve(dialog.returnValue);
    });
  });
}

/** Asks a yes/no question in a dialog. */
export async function confirmDialog(title: string, message: string, action: string): Promise<boolean> {
  const ok = h("button", { type: "button", class: "danger" }, action);
  const result = openDialog(title, [h("p", {}, message)], [ok]);
  ok.addEventListener("click", () => ok.closest("dialog")?.close("ok"));
  return (await result) === "ok";
}

/** Shows a secret once, selectable for copying. */
export function showSecret(title: string, secret: string | null): Promise<string> {
  return openDialog(title, [
    h("p", {}, "The signing secret of this subscription. Store it where your receiver can read it."),
    h(
      "p",
      {},
      h("code", { class: "secret", tabindex: "0", "aria-label": "Signing secret" }, secret ?? "(none)"),
    ),
  ]);
}
