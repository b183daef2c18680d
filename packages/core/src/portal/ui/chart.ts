/** Activity: delivered and failed deliveries per hour over the last 24 hours, as a chart and a table. */
import { api, type HourlyChart } from "./api.ts";
import { beginRender, h } from "./dom.ts";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function hourLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function barChart(data: HourlyChart, summary: string): SVGElement {
  const width = 720;
  const height = 200;
  const slot = width / data.hours.length;
  const max = Math.max(1, ...data.hours.map((b) => b.delivered + b.failed));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height + 20}`, class: "chart", role: "img" });
  chart.append(svg("title", {}, "Deliveries per hour, last 24 hours"), svg("desc", {}, summary));
  data.hours.forEach((b, i) => {
    const ok = (b.delivered / max) * height;
    const bad = (b.failed / max) * height;
    const x = i * slot + 2;
    chart.append(
      svg("rect", { class: "delivered", x, y: height - ok, width: slot - 4, height: ok }),
      svg("rect", { class: "failed", x, y: height - ok - bad, width: slot - 4, height: bad }),
    );
    if (i % 4 === 0) chart.append(svg("text", { class: "axis", x, y: height + 14 }, hourLabel(b.hour)));
  });
  return chart;
}

/** Renders the activity view into `root`. */
export async function renderChart(root: HTMLElement): Promise<void> {
  const current = beginRender();
  const data = await api<HourlyChart>("GET", "stats/hourly");
  if (!current()) return;
  const delivered = data.hours.reduce((n, b) => n + b.delivered, 0);
  const failed = data.hours.reduce((n, b) => n + b.failed, 0);
  const summary = `${delivered} delivered and ${failed} failed in the last 24 hours.`;
  const note = h(
    "p",
    { class: "hint" },
    data.truncated ? "Counted from the most recent deliveries only." : "",
  );
  root.replaceChildren(
    h("h2", { tabindex: "-1" }, "Activity"),
    h("p", { id: "chart-summary" }, summary),
    note,
    h(
      "ul",
      { class: "legend" },
      h("li", {}, h("span", { class: "delivered" }), "Delivered"),
      h("li", {}, h("span", { class: "failed" }), "Failed"),
    ),
    barChart(data, summary),
    h(
      "details",
      {},
      h("summary", {}, "Show as a table"),
      h(
        "table",
        {},
        h("caption", {}, "Deliveries per hour"),
        h(
          "thead",
          {},
          h("tr", {}, ...["Hour", "Delivered", "Failed"].map((t) => h("th", { scope: "col" }, t))),
        ),
        h(
          "tbody",
          {},
          ...data.hours.map((b) =>
            h(
              "tr",
              {},
              h("td", {}, hourLabel(b.hour)),
              h("td", {}, String(b.delivered)),
              h("td", {}, String(b.failed)),
            ),
          ),
        ),
      ),
    ),
  );
}
