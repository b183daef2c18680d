/** Cursor pagination for a list view: a stack of cursors, Previous / Next buttons. */
import { h } from "./dom.ts";

/** Keeps the cursors of the pages seen, so Previous works with forward-only cursors. */
export interface Pager {
  readonly cursor: string | null;
  reset(): void;
  /** Previous/Next controls for a page whose next cursor is `next`. */
  controls(next: string | null, label: string, reload: () => void): HTMLElement;
}

/** Creates a pager. */
export function createPager(): Pager {
  const stack: (string | null)[] = [null];
  return {
    get cursor() {
      return stack[stack.length - 1] ?? null;
    },
    reset() {
      stack.length = 1;
    },
    controls(next, label, reload) {
      const prev = h(
        "button",
        {
          type: "button",
          disabled: stack.length === 1,
          onclick: () => {
            stack.pop();
            reload();
          },
        },
        "Previous page",
      );
      const more = h(
        "button",
        {
          type: "button",
          disabled: next === null,
          onclick: () => {
            stack.push(next);
            reload();
          },
        },
        "Next page",
      );
      return h(
        "nav",
        { class: "pager", "aria-label": label },
        prev,
        h("span", {}, `Page ${stack.length}`),
        more,
      );
    },
  };
}
