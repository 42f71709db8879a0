import assert from "node:assert/strict";
import { runTask } from "../helpers/bench_cli.ts";

Deno.test("agree task: cpu and wasm agree on short SPD and APD runs; a record per toy x method", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/agree.jsonl`;
  const o = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "tasks/agree.ts",
      "--backend",
      "cpu",
      "--reference",
      "wasm",
      "--toy",
      "tms_5-2",
      "--steps",
      "6",
      "--batch",
      "128",
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(o.stdout);
  assert.ok(o.success, stdout + new TextDecoder().decode(o.stderr));
  assert.match(stdout, /agree/);
  const recs = (await Deno.readTextFile(out)).trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(recs.length >= 1 && recs.every((r) => r.kind === "backend_agreement" && r.agree));
  assert.ok(recs.some((r) => r.method === "spd"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("agree task: a bad flag fails at once, naming the flag and what it allows", async () => {
  const cases: [string[], RegExp][] = [
    // A NaN tolerance would pass every comparison; it must be refused.
    [["--tol", "abc"], /--tol: must be a number > 0, got 'abc'/],
    [["--steps", "0"], /--steps: must be an integer >= 1, got '0'/],
    [["--batch", "1.5"], /--batch: must be an integer >= 1, got '1\.5'/],
    [["--toy", "tms_9-9"], /--toy: unknown value 'tms_9-9'; allowed: resid_mlp_1, /],
    [["--method", "sae"], /--method: unknown value 'sae'; allowed: apd, spd/],
    [["--reference", "tpu"], /--reference: unknown value 'tpu'; allowed: wasm, cpu, webgpu/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await runTask("agree.ts", args);
    assert.equal(code, 2, args.join(" "));
    assert.match(stderr, pattern);
    assert.doesNotMatch(stderr, /\n\s+at /, "input errors print no stack trace");
  }
});
