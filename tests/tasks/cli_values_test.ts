import assert from "node:assert/strict";
import {
  choiceFlag,
  integerFlag,
  nameList,
  numberFlag,
  parseOverrides,
  parseSeedList,
} from "../../tasks/lib/cli_values.ts";

Deno.test("parseSeedList: single seed, list, range, mixed", () => {
  assert.deepEqual(parseSeedList("0"), [0]);
  assert.deepEqual(parseSeedList("0-4"), [0, 1, 2, 3, 4]);
  assert.deepEqual(parseSeedList("0,2,5"), [0, 2, 5]);
  assert.deepEqual(parseSeedList("7-7"), [7]);
  assert.deepEqual(parseSeedList("1, 3-5 ,10"), [1, 3, 4, 5, 10]);
  assert.deepEqual(parseSeedList("12"), [12]);
});

Deno.test("parseSeedList: errors name --seed (or the given field)", () => {
  for (const bad of ["a", "3-1", "-1", "", "1,,2", "1.5", "0-"]) {
    assert.throws(() => parseSeedList(bad), (e: unknown) => {
      assert.ok(e instanceof RangeError, `'${bad}': not a RangeError`);
      assert.match(e.message, /^--seed: /, `'${bad}': ${e.message}`);
      return true;
    });
  }
  assert.throws(() => parseSeedList("3-1"), /--seed: range '3-1' runs backwards/);
  assert.throws(() => parseSeedList("a"), /--seed: 'a' is not a seed list/);
  assert.throws(() => parseSeedList("x", "--target-seed"), /^RangeError: --target-seed: /);
});

Deno.test("parseOverrides: JSON values parsed, other values kept as strings", () => {
  assert.deepEqual(parseOverrides(["importanceCoeff=1e-3", "schedule=constant"]), {
    importanceCoeff: 0.001,
    schedule: "constant",
  });
  assert.deepEqual(
    parseOverrides(["steps=200", "flag=true", "list=[1,2]", 's="quoted"', "eq=a=b", "empty="]),
    { steps: 200, flag: true, list: [1, 2], s: "quoted", eq: "a=b", empty: "" },
  );
  // Later occurrences win.
  assert.deepEqual(parseOverrides(["lr=1", "lr=2"]), { lr: 2 });
  assert.deepEqual(parseOverrides([]), {});
});

Deno.test("parseOverrides: an item without KEY= is rejected", () => {
  for (const bad of ["novalue", "=5"]) {
    assert.throws(() => parseOverrides([bad]), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /--set: '.*' must look like KEY=VALUE/);
      return true;
    });
  }
});

Deno.test("integerFlag: integers at or above the bound pass; anything else names the flag", () => {
  assert.equal(integerFlag("--steps", "12", 1), 12);
  assert.equal(integerFlag("--seed", "0", 0), 0);
  assert.equal(integerFlag("--runs", " 3 ", 1), 3);
  for (const bad of ["0", "-2", "1.5", "", " ", "abc", "Infinity", "1e400"]) {
    assert.throws(
      () => integerFlag("--steps", bad, 1),
      new RangeError(`--steps: must be an integer >= 1, got '${bad}'`),
    );
  }
  assert.throws(
    () => integerFlag("--seed", "-1", 0),
    /^RangeError: --seed: must be an integer >= 0/,
  );
});

Deno.test("numberFlag: finite numbers inside a closed, half-open or open range", () => {
  assert.equal(numberFlag("--checkpoint-minutes", "0", { min: 0 }), 0);
  assert.equal(numberFlag("--checkpoint-minutes", "2.5", { min: 0 }), 2.5);
  assert.equal(numberFlag("--tol", "1e-3", { min: 0, open: "min" }), 1e-3);
  assert.throws(
    () => numberFlag("--tol", "0", { min: 0, open: "min" }),
    /^RangeError: --tol: must be a number > 0, got '0'$/,
  );
  // A typo must not become NaN, which every `d > tol` comparison would pass.
  for (const bad of ["abc", "", "NaN", "Infinity", "-1"]) {
    assert.throws(
      () => numberFlag("--tol", bad, { min: 0, open: "min" }),
      new RangeError(`--tol: must be a number > 0, got '${bad}'`),
    );
  }
  assert.throws(
    () => numberFlag("--checkpoint-minutes", "-3", { min: 0 }),
    /must be a number >= 0, got '-3'/,
  );
  // Upper bounds: each end is in or out as `open` says, and the message shows which.
  const threshold = { min: 0, max: 1, open: "max" } as const;
  assert.equal(numberFlag("--threshold", "0", threshold), 0);
  assert.equal(numberFlag("--threshold", "0.999", threshold), 0.999);
  assert.throws(
    () => numberFlag("--threshold", "1", threshold),
    new RangeError("--threshold: must be a number in [0, 1), got '1'"),
  );
  const alpha = { min: 0, max: 1, open: "both" } as const;
  for (const bad of ["0", "1", "1.5"]) {
    assert.throws(
      () => numberFlag("--alpha", bad, alpha),
      new RangeError(`--alpha: must be a number in (0, 1), got '${bad}'`),
    );
  }
  assert.equal(numberFlag("--scale", "1", { min: 0, max: 1 }), 1);
  assert.throws(
    () => numberFlag("--scale", "1.01", { min: 0, max: 1 }),
    new RangeError("--scale: must be a number in [0, 1], got '1.01'"),
  );
});

Deno.test("nameList: all when absent; trimmed, checked names otherwise", () => {
  const allowed = ["tms_5-2", "tms_40-10", "resid_mlp_1"];
  assert.deepEqual(nameList("--toy", undefined, allowed), allowed);
  assert.deepEqual(nameList("--toy", " tms_40-10 ,resid_mlp_1,", allowed), [
    "tms_40-10",
    "resid_mlp_1",
  ]);
  assert.throws(
    () => nameList("--toy", "tms_5-2,tms_9-9", allowed),
    new RangeError("--toy: unknown value 'tms_9-9'; allowed: tms_5-2, tms_40-10, resid_mlp_1"),
  );
  assert.throws(
    () => nameList("--toy", " , ", allowed),
    new RangeError("--toy: empty list; allowed: tms_5-2, tms_40-10, resid_mlp_1"),
  );
});

Deno.test("choiceFlag: one allowed value, typed as the allowed union", () => {
  const backends = ["wasm", "cpu"] as const;
  const b: "wasm" | "cpu" = choiceFlag("--backend", "cpu", backends);
  assert.equal(b, "cpu");
  assert.throws(
    () => choiceFlag("--backend", "wasm,cpu", backends),
    new RangeError("--backend: unknown value 'wasm,cpu'; allowed: wasm, cpu"),
  );
});
