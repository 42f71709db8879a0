import assert from "node:assert/strict";
import {
  BOOLEAN,
  integerIn,
  NON_NEGATIVE,
  oneOf,
  POSITIVE,
  resolveConfig,
  UNIT_INTERVAL,
} from "../../mod.ts";

Deno.test("field rules accept their boundaries and reject just past them", () => {
  const cases: [typeof POSITIVE, unknown[], unknown[]][] = [
    [integerIn(1, 3), [1, 3], [0, 4, 2.5, "2", NaN]],
    [NON_NEGATIVE, [0, 1e9], [-1e-12, Infinity, NaN, "1"]],
    [POSITIVE, [1e-12], [0, -1, Infinity, null]],
    [UNIT_INTERVAL, [0, 0.999], [1, -0.1, NaN]],
    [BOOLEAN, [true, false], [0, "true"]],
    [oneOf(["a", "b"]), ["a", "b"], ["c", 1]],
  ];
  for (const [rule, good, bad] of cases) {
    for (const v of good) assert.ok(rule.ok(v), `${rule.allowed} should accept ${v}`);
    for (const v of bad) assert.ok(!rule.ok(v), `${rule.allowed} should reject ${v}`);
  }
});

Deno.test("resolveConfig merges overrides and names the field, allowed values and got", () => {
  const base = { n: 2, mode: "a" };
  const rules = { n: integerIn(1, 3), mode: oneOf(["a", "b"]) };
  assert.deepEqual(resolveConfig("toy", base, { mode: "b" }, rules), { n: 2, mode: "b" });
  assert.throws(
    () => resolveConfig("toy", base, { n: 4 }, rules),
    /^RangeError: toy config: 'n' must be an integer in \[1, 3\], got 4$/,
  );
  assert.throws(
    () => resolveConfig("toy", base, { mode: "c" }, rules),
    /toy config: 'mode' must be one of a, b, got "c"/,
  );
  assert.throws(
    () => resolveConfig("toy", base, { m: 1 }, rules),
    /toy config: 'm' must be one of the known fields \(n, mode\), got "m"/,
  );
});
