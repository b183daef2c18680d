/** The event catalog: each type with its description, JSON Schema and example payload. */
import type { EventType } from "./api.ts";
import { beginRender, h } from "./dom.ts";

function jsonBlock(summary: string, value: unknown): HTMLElement | null {
  if (value === null || value === undefined) return null;
  return h("details", {}, h("summary", {}, summary), h("pre", {}, JSON.stringify(value, null, 2)));
}

/** Renders the catalog view into `root`. */
export function renderCatalog(root: HTMLElement, types: EventType[]): void {
  beginRender();
  root.replaceChildren(
    h("h2", { tabindex: "-1" }, "Event types"),
    types.length === 0
      ? h("p", {}, "Any event type may be subscribed to.")
      : h(
          "div",
          {},
          ...types.map((t) =>
            h(
              "article",
              { class: "event-type" },
              h("h3", {}, t.name),
              h("p", {}, t.description ?? ""),
              jsonBlock("Schema", t.jsonSchema),
              jsonBlock("Example payload", t.example),
            ),
          ),
        ),
  );
}
