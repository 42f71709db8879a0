/**
 * Field rules for method configs. Each method states, in one table, what every
 * field of its config may hold; {@link resolveConfig} merges overrides into a
 * base config, rejects unknown fields and checks every rule, so bad input
 * always fails with a RangeError naming the field, the allowed values and the
 * value it got.
 *
 * @module
 */

/** What one config field may hold: a check and its wording for error messages. */
export interface FieldRule {
  /** The allowed values, worded to follow "must be" (e.g. "an integer in [1, 10]"). */
  readonly allowed: string;
  /** True when `value` is allowed. */
  readonly ok: (value: unknown) => boolean;
}

/** A rule for every field of config type `T`. */
export type FieldRules<T> = { readonly [K in keyof T]-?: FieldRule };

const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** An integer in `[lo, hi]`. */
export const integerIn = (lo: number, hi: number): FieldRule => ({
  allowed: `an integer in [${lo}, ${hi}]`,
  ok: (v) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi,
});

/** A finite number ≥ 0 (loss coefficients). */
export const NON_NEGATIVE: FieldRule = {
  allowed: "a finite number >= 0",
  ok: (v) => isFiniteNumber(v) && v >= 0,
};

/** A finite number > 0 (learning rates, norms' p). */
export const POSITIVE: FieldRule = {
  allowed: "a finite number > 0",
  ok: (v) => isFiniteNumber(v) && v > 0,
};

/** A number in `[0, 1)` (leak slopes, warmup fractions). */
export const UNIT_INTERVAL: FieldRule = {
  allowed: "a number in [0, 1)",
  ok: (v) => isFiniteNumber(v) && v >= 0 && v < 1,
};

/** `true` or `false`. */
export const BOOLEAN: FieldRule = {
  allowed: "true or false",
  ok: (v) => typeof v === "boolean",
};

/** One of the listed strings. */
export const oneOf = (values: readonly string[]): FieldRule => ({
  allowed: `one of ${values.join(", ")}`,
  ok: (v) => typeof v === "string" && values.includes(v),
});

/**
 * Throws the config error every check uses:
 * `<scope> config: '<field>' must be <allowed>, got <value as JSON>`.
 */
export function rejectField(scope: string, field: string, allowed: string, got: unknown): never {
  throw new RangeError(
    `${scope} config: '${field}' must be ${allowed}, got ${JSON.stringify(got)}`,
  );
}

/**
 * Merges `overrides` into `base` and checks every field against `rules`.
 * Unknown override fields are rejected with the list of known ones.
 * Cross-field constraints stay with the caller (use {@link rejectField}).
 */
export function resolveConfig<T extends object>(
  scope: string,
  base: Readonly<T>,
  overrides: Readonly<Record<string, unknown>>,
  rules: FieldRules<T>,
): T {
  const known = Object.keys(rules);
  for (const key of Object.keys(overrides)) {
    if (!known.includes(key)) {
      rejectField(scope, key, `one of the known fields (${known.join(", ")})`, key);
    }
  }
  const cfg = { ...base, ...overrides } as T;
  for (const key of known) {
    const value = (cfg as Record<string, unknown>)[key];
    const rule = rules[key as keyof T];
    if (!rule.ok(value)) rejectField(scope, key, rule.allowed, value);
  }
  return cfg;
}
