/**
 * Text widths from a TrueType font's own advance widths, for laying out
 * charts headlessly. Without a canvas, Vega estimates every character as
 * 0.8 em wide, which truncates labels and leaves wide gaps; measuring with
 * the TTF the PNG renderer uses makes the layout match the drawn text.
 *
 * Reads the `head`, `hhea`, `hmtx` and `cmap` (format 4, Unicode BMP) tables;
 * kerning is ignored. Pure: takes the font's bytes.
 *
 * @module
 */

/** Advance widths of one font. */
export interface FontMetrics {
  /** Width of `text` at `fontSize` pixels. */
  width(text: string, fontSize: number): number;
}

function tables(view: DataView): Map<string, number> {
  const count = view.getUint16(4);
  const out = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const rec = 12 + 16 * i;
    const tag = String.fromCharCode(
      view.getUint8(rec),
      view.getUint8(rec + 1),
      view.getUint8(rec + 2),
      view.getUint8(rec + 3),
    );
    out.set(tag, view.getUint32(rec + 8));
  }
  return out;
}

/** The glyph index of each BMP code point from a format-4 cmap subtable. */
function cmapFormat4(view: DataView, sub: number): Map<number, number> {
  const segX2 = view.getUint16(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  const map = new Map<number, number>();
  for (let s = 0; s < segX2 / 2; s++) {
    const end = view.getUint16(ends + 2 * s);
    const start = view.getUint16(starts + 2 * s);
    const delta = view.getInt16(deltas + 2 * s);
    const rangeOffset = view.getUint16(ranges + 2 * s);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
      else {
        const at = ranges + 2 * s + rangeOffset + 2 * (c - start);
        glyph = view.getUint16(at);
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      map.set(c, glyph);
    }
  }
  return map;
}

/**
 * Parses a TrueType font's advance widths.
 * @throws {Error} when a required table or a Unicode format-4 cmap is missing.
 */
export function parseFontMetrics(bytes: Uint8Array): FontMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t = tables(view);
  for (const tag of ["head", "hhea", "hmtx", "cmap"]) {
    if (!t.has(tag)) throw new Error(`font: no '${tag}' table`);
  }
  const unitsPerEm = view.getUint16(t.get("head")! + 18);
  const nMetrics = view.getUint16(t.get("hhea")! + 34);
  const hmtx = t.get("hmtx")!;
  const advance = (glyph: number) => view.getUint16(hmtx + 4 * Math.min(glyph, nMetrics - 1));
  const cmap = t.get("cmap")!;
  let sub = -1;
  for (let i = 0; i < view.getUint16(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = view.getUint16(rec), encoding = view.getUint16(rec + 2);
    const off = cmap + view.getUint32(rec + 4);
    const unicode = (platform === 3 && encoding === 1) || platform === 0;
    if (unicode && view.getUint16(off) === 4) {
      sub = off;
      break;
    }
  }
  if (sub < 0) throw new Error("font: no Unicode format-4 cmap subtable");
  const glyphs = cmapFormat4(view, sub);
  const cache = new Map<number, number>();
  const em = (cp: number) => {
    let w = cache.get(cp);
    if (w === undefined) {
      w = advance(glyphs.get(cp) ?? 0) / unitsPerEm;
      cache.set(cp, w);
    }
    return w;
  };
  return {
    width(text: string, fontSize: number): number {
      let sum = 0;
      for (const ch of text) sum += em(ch.codePointAt(0)!);
      return sum * fontSize;
    },
  };
}
