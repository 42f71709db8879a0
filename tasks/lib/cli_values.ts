/**
 * Parsers for the values of command-line flags, shared by every task. Each
 * rejects bad input with a `RangeError` that names the flag and what it
 * allows, before a task does any work.
 *
 * @module
 */

/** An integer ≥ `min` written in `text`, or a RangeError naming `flag`. */
export function integerFlag(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new RangeError(`${flag}: must be an integer >= ${min}, got '${text}'`);
  }
  return n;
}

/**
 * Where a number flag's value may lie: from `min` up to `max` (no upper bound
 * when `max` is absent), each end left out when `open` names it.
 */
export interface NumberRange {
  /** Lower end. */
  readonly min: number;
  /** Upper end; absent: none. */
  readonly max?: number;
  /** Which ends are left out of the range; absent: neither. */
  readonly open?: "min" | "max" | "both";
}

/** A finite number written in `text` that lies in `range`, or a RangeError naming `flag`. */
export function numberFlag(flag: string, text: string, range: NumberRange): number {
  const { min, max, open } = range;
  const minOpen = open === "min" || open === "both";
  const maxOpen = open === "max" || open === "both";
  const n = Number(text);
  const inside = text.trim() !== "" && Number.isFinite(n) &&
    (minOpen ? n > min : n >= min) &&
    (max === undefined || (maxOpen ? n < max : n <= max));
  if (!inside) {
    const allowed = max === undefined
      ? `${minOpen ? ">" : ">="} ${min}`
      : `in ${minOpen ? "(" : "["}${min}, ${max}${maxOpen ? ")" : "]"}`;
    throw new RangeError(`${flag}: must be a number ${allowed}, got '${text}'`);
  }
  return n;
}

/** `text` when it is one of `allowed`, or a RangeError naming `flag` and the allowed values. */
export function choiceFlag<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new RangeError(`${flag}: unknown value '${text}'; allowed: ${allowed.join(", ")}`);
  }
  return text as T;
}

/**
 * A comma-separated list of names, each one of `allowed` (spaces around a name
 * and empty items are ignored); `allowed` itself when `text` is undefined.
 */
export function nameList(
  flag: string,
  text: string | undefined,
  allowed: readonly string[],
): string[] {
  if (text === undefined) return [...allowed];
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) {
    throw new RangeError(`${flag}: empty list; allowed: ${allowed.join(", ")}`);
  }
  return names.map((name) => choiceFlag(flag, name, allowed));
}

/** Parses "0", "0,2,5" or "0-4" into seeds. */
export function parseSeedList(text: string, flag = "--seed"): number[] {
  const seeds: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) {
      throw new RangeError(
        `${flag}: '${text}' is not a seed list; allowed: N, N,M,… or N-M with integers >= 0`,
      );
    }
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new RangeError(`${flag}: range '${part}' runs backwards`);
    for (let s = lo; s <= hi; s++) seeds.push(s);
  }
  return seeds;
}

/** Parses `--set KEY=VALUE` overrides; values are JSON when they parse as JSON, else strings. */
export function parseOverrides(items: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new RangeError(`--set: '${item}' must look like KEY=VALUE`);
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch { /* keep as string */ }
    out[item.slice(0, eq)] = value;
  }
  return out;
}
