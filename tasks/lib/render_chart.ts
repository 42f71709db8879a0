/**
 * Renders Vega-Lite specs: compile to Vega, draw to SVG headlessly (no
 * canvas; text widths are estimated), and rasterise the SVG to PNG with
 * resvg (WebAssembly) using the DejaVu Sans TTFs committed in
 * `bench/report/fonts/`, so PNG text never depends on the host's fonts
 * (resvg silently drops text it has no font for).
 *
 * @module
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { CHART_FONT } from "../../bench/report/chart.ts";
import { type FontMetrics, parseFontMetrics } from "../../bench/report/font_metrics.ts";

const ROOT = new URL("../../", import.meta.url);
const FONT_DIR = new URL("bench/report/fonts/", ROOT);
/** The font files the PNG renderer loads. */
export const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

let measuring = false;

/** A text item as Vega's text measurement sees it. */
interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
  ellipsis?: string;
}

const BOLD = new Set(["bold", "bolder", "600", "700", "800", "900"]);

/**
 * Replaces Vega's headless text-width estimate (0.8 em per character) with
 * the advance widths of the TTFs the PNG renderer draws with, applying Vega's
 * `limit` truncation the way its canvas measurement does.
 */
function installTextMetrics(regular: FontMetrics, bold: FontMetrics): void {
  const size = (item: TextItem) => item.fontSize != null ? +item.fontSize || 0 : 11;
  const raw = (item: TextItem, text: string) =>
    (BOLD.has(String(item.fontWeight ?? "")) ? bold : regular).width(text, size(item));
  const width = (item: TextItem, text: unknown): number => {
    let s = text == null ? "" : String(text).trim();
    const limit = Number(item.limit ?? 0);
    if (limit > 0 && s.length && raw(item, s) >= limit) {
      const ellipsis = item.ellipsis ?? "\u2026";
      const room = limit - raw(item, ellipsis);
      let lo = 0, hi = s.length;
      while (lo < hi) {
        const mid = 1 + ((lo + hi) >>> 1);
        if (raw(item, s.slice(0, mid)) < room) lo = mid;
        else hi = mid - 1;
      }
      s = s.slice(0, lo) + ellipsis;
    }
    return size(item) <= 0 ? 0 : raw(item, s);
  };
  // `textMetrics` is exported at run time but missing from vega's typings.
  (vega as unknown as { textMetrics: { width: typeof width } }).textMetrics.width = width;
}

async function ensureTextMetrics(): Promise<void> {
  if (measuring) return;
  const [regular, bold] = await Promise.all(
    FONT_FILES.map(async (f) => parseFontMetrics(await Deno.readFile(new URL(f, FONT_DIR)))),
  );
  installTextMetrics(regular, bold);
  measuring = true;
}

/**
 * Numbers a chart's clip-path and gradient ids 1, 2, … in order of appearance.
 * Vega draws them from process-wide counters, so without this a chart's SVG
 * would change whenever another chart is added before it in the same report.
 */
export function renumberSvgIds(svg: string): string {
  const ids = new Map<string, Map<string, number>>();
  return svg.replace(
    /(id="|url\(#)(clip|gradient_)(\d+)/g,
    (_, prefix: string, kind: string, n: string) => {
      const seen = ids.get(kind) ?? ids.set(kind, new Map()).get(kind)!;
      if (!seen.has(n)) seen.set(n, seen.size + 1);
      return `${prefix}${kind}${seen.get(n)}`;
    },
  );
}

/**
 * Compiles a Vega-Lite spec to Vega and renders it to an SVG string, with
 * text measured by the committed fonts; the same spec gives the same SVG
 * whatever was rendered before it.
 */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  await ensureTextMetrics();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return renumberSvgIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

let fontBuffers: Uint8Array[] | null = null;

/** Loads resvg's WebAssembly module and the fonts once per process. */
async function ensureResvg(): Promise<Uint8Array[]> {
  if (fontBuffers) return fontBuffers;
  const wasm = await Deno.readFile(
    new URL("node_modules/@resvg/resvg-wasm/index_bg.wasm", ROOT),
  );
  await initWasm(wasm);
  fontBuffers = await Promise.all(FONT_FILES.map((f) => Deno.readFile(new URL(f, FONT_DIR))));
  return fontBuffers;
}

/** A rasterised image: PNG bytes plus its size and RGBA pixels. */
export interface RenderedImage {
  /** PNG file bytes. */
  readonly png: Uint8Array;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** RGBA pixels, row-major. */
  readonly pixels: Uint8Array;
}

/** Rasterises an SVG at `zoom` (2 = twice the SVG's pixel size) on a white background. */
export async function svgToImage(svg: string, zoom = 2): Promise<RenderedImage> {
  const fonts = await ensureResvg();
  const r = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: zoom },
    font: { fontBuffers: fonts, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  });
  const img = r.render();
  try {
    return { png: img.asPng(), width: img.width, height: img.height, pixels: img.pixels.slice() };
  } finally {
    img.free();
    r.free();
  }
}

/** Rasterises an SVG to PNG bytes at `zoom`, white background. */
export async function svgToPng(svg: string, zoom = 2): Promise<Uint8Array> {
  return (await svgToImage(svg, zoom)).png;
}

/** Fraction of pixels that are not (near) white: 0 for a blank image. */
export function inkFraction(img: RenderedImage): number {
  let ink = 0;
  const p = img.pixels;
  for (let k = 0; k < p.length; k += 4) if (p[k] < 240 || p[k + 1] < 240 || p[k + 2] < 240) ink++;
  return ink / (p.length / 4);
}

/** Decodes PNG bytes to pixels by drawing them as an SVG image (used to check screenshots). */
export async function decodePng(
  png: Uint8Array,
  width: number,
  height: number,
): Promise<RenderedImage> {
  let bin = "";
  for (let k = 0; k < png.length; k += 0x8000) {
    bin += String.fromCharCode(...png.subarray(k, k + 0x8000));
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${width}" height="${height}"><image width="${width}" height="${height}" ` +
    `xlink:href="data:image/png;base64,${btoa(bin)}"/></svg>`;
  return await svgToImage(svg, 1);
}
