import assert from "node:assert/strict";

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
