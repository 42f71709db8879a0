/**
 * Plain monospace tables for CLI output.
 *
 * @module
 */

/** Removes trailing zeros (and a trailing `.`) from the mantissa of a formatted decimal. */
function stripZeros(s: string): string {
  const [mant, exp] = s.split("e");
  const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
  return exp === undefined ? m : `${m}e${exp}`;
}

/**
 * Formats a number compactly for tables: integers as-is; non-integers with at most 4 decimal
 * places if `|n| ≥ 1`, or 4 significant digits if `|n| < 1`; trailing zeros removed.
 * `-0` prints as `"0"`; `NaN`/`±Infinity` as `String(n)`.
 *
 * @example
 * formatNumber(3); // "3"
 * formatNumber(1.234567); // "1.2346"
 * formatNumber(2.5); // "2.5"
 * formatNumber(0.000123456); // "0.0001235"
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return Object.is(n, -0) ? "0" : String(n);
  const s = stripZeros(Math.abs(n) >= 1 ? n.toFixed(4) : n.toPrecision(4));
  return s === "-0" ? "0" : s;
}

/**
 * Renders a plain monospace table: a header line, an underline of dashes per column, then one
 * line per row. Columns are separated by two spaces and sized to their widest cell. Number
 * cells are formatted with {@linkcode formatNumber} and right-aligned; string cells are
 * left-aligned. A header is right-aligned when every cell of its column is a number. Trailing
 * spaces are trimmed, and the result has no trailing newline. Rows shorter than `headers` are
 * padded with empty cells.
 *
 * @example
 * formatTable(["name", "ms"], [["matmul", 1.5], ["qr", 12]]);
 * // name     ms
 * // ------  ---
 * // matmul  1.5
 * // qr       12
 *
 * @throws {RangeError} If a row has more cells than there are headers.
 */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const ncol = headers.length;
  rows.forEach((row, i) => {
    if (row.length > ncol) {
      throw new RangeError(`formatTable: row ${i} has ${row.length} cells, expected ${ncol}`);
    }
  });
  const cells = rows.map((row) =>
    headers.map((_, j) => {
      const v = row[j];
      return typeof v === "number"
        ? { text: formatNumber(v), right: true }
        : { text: v ?? "", right: false };
    })
  );
  const numericCol = headers.map((_, j) =>
    rows.length > 0 && rows.every((row) => typeof row[j] === "number")
  );
  const widths = headers.map((h, j) =>
    Math.max(h.length, ...cells.map((row) => row[j].text.length))
  );
  const render = (row: { text: string; right: boolean }[]) =>
    row
      .map((c, j) => (c.right ? c.text.padStart(widths[j]) : c.text.padEnd(widths[j])))
      .join("  ")
      .trimEnd();
  const lines = [
    render(headers.map((h, j) => ({ text: h, right: numericCol[j] }))),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map(render),
  ];
  return lines.join("\n");
}

/** A Markdown (GitHub) table: numbers via {@linkcode formatNumber}, `|` in cells escaped. */
export function formatMarkdownTable(headers: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) =>
    (typeof v === "number" ? formatNumber(v) : v).replaceAll("|", "\\|");
  const line = (cells: (string | number)[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => " --- ").join("|")}|`, ...rows.map(line)].join("\n");
}
