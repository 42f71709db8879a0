/**
 * The report's self-contained `index.html`: the vega, vega-lite and
 * vega-embed bundles inlined (passed in by the caller, read from
 * node_modules), every spec embedded, the tables as HTML, and a Content
 * Security Policy that forbids any network request, so the page works
 * offline and shows an error instead of silently fetching something.
 *
 * @module
 */
import type { Report } from "./report.ts";
import { tableHtml } from "./tables.ts";

/** The three UMD bundles the page inlines (globals `vega`, `vegaLite`, `vegaEmbed`). */
export interface VegaBundles {
  /** `vega/build/vega.min.js`. */
  readonly vega: string;
  /** `vega-lite/build/vega-lite.min.js`. */
  readonly vegaLite: string;
  /** `vega-embed/build/vega-embed.min.js`. */
  readonly vegaEmbed: string;
}

/** The page's Content Security Policy: inline code and data URLs only, nothing from a network. */
export const REPORT_CSP: string = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; " +
  "style-src 'unsafe-inline'; img-src data: blob:; font-src data:";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** Makes text safe inside a `<script>` element. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

const STYLE = `
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 24px auto; max-width: 1500px;
  padding: 0 16px; color: #111; }
h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 36px; }
section { margin: 28px 0 36px; border-top: 1px solid #ddd; padding-top: 8px; }
.caption { max-width: 900px; color: #333; font-size: 14px; }
.files { font-size: 12px; color: #555; }
.chart { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0 20px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; }
.error { color: #b00; white-space: pre-wrap; }
`;

/** The whole page. */
export function reportHtml(
  report: Report,
  bundles: VegaBundles,
  inputs: readonly string[] = [],
): string {
  // The page prints each caption under its chart, so the specs drop their caption subtitle.
  const specs = report.charts.map((c) => {
    const title = (c.spec as { title?: unknown }).title;
    return title && typeof title === "object"
      ? { ...c.spec, title: { ...(title as object), subtitle: undefined } }
      : c.spec;
  });
  const sections = report.charts.map((c, i) =>
    `<section id="${escapeHtml(c.id)}">
<h2>${escapeHtml(c.title)}</h2>
<div class="chart" id="chart-${i}"></div>
<p class="caption">${escapeHtml(c.caption)}</p>
<p class="files">Files: <a href="${c.id}.vl.json">Vega-Lite spec</a> · <a href="${c.id}.svg">SVG</a> · <a href="${c.id}.png">PNG</a></p>
</section>`
  ).join("\n");
  const tables = report.tables.map((t) =>
    `<h3>${escapeHtml(t.title)}</h3>
<p class="caption">${escapeHtml(t.note)}</p>
${tableHtml(t.table)}`
  ).join("\n");
  const inputList = inputs.length
    ? `<p>Built from records alone (no re-training) by <code>deno task report</code> from: ${
      inputs.map((f) => `<code>${escapeHtml(f)}</code>`).join(", ")
    }.</p>`
    : "";
  const sources = report.sources.length
    ? `<p>Records produced by: ${report.sources.map(escapeHtml).join("; ")}.</p>`
    : "";
  const missing = report.withoutArtifacts.length
    ? `<p>Records written before report artifacts existed (no importance heatmap, cosine matrix or neuron-contribution chart): ${
      escapeHtml(report.withoutArtifacts.join("; "))
    }.</p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
<script>${scriptSafe(bundles.vega)}</script>
<script>${scriptSafe(bundles.vegaLite)}</script>
<script>${scriptSafe(bundles.vegaEmbed)}</script>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
${inputList}
${sources}
${missing}
<p>Tables: see <a href="summary.md">summary.md</a> or <a href="#tables">below</a>. ${report.charts.length} charts.</p>
${sections}
<section id="tables">
<h2>Tables</h2>
${tables}
</section>
<script type="application/json" id="specs">${scriptSafe(JSON.stringify(specs))}</script>
<script>
(async () => {
  const specs = JSON.parse(document.getElementById("specs").textContent);
  let rendered = 0;
  for (let i = 0; i < specs.length; i++) {
    const el = document.getElementById("chart-" + i);
    try {
      await vegaEmbed(el, specs[i], { renderer: "svg", actions: false });
      rendered++;
    } catch (err) {
      console.error("chart " + i + ": " + err);
      el.innerHTML = '<p class="error"></p>';
      el.firstChild.textContent = "Chart failed: " + err;
    }
  }
  document.body.dataset.rendered = String(rendered);
})();
</script>
</body>
</html>
`;
}
