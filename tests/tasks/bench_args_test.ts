import assert from "node:assert/strict";
import { parseOverrides, parseSeedList } from "../../tasks/bench.ts";

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
