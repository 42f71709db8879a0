import assert from "node:assert/strict";
import { join } from "node:path";
import { configHash, makeRecord, type Provenance } from "../../mod.ts";
import { main } from "../../tasks/compare.ts";
import { runMain } from "../helpers/run_main.ts";

const provenance = { gitCommit: null, gitDirty: null } as unknown as Provenance;
const CONFIG = { steps: 10 };

function line(seed: number, mmcs: number, config: Record<string, unknown> = CONFIG): string {
  return JSON.stringify(makeRecord({
    toy: "tms_5-2",
    method: "spd",
    seed,
    config,
    configHash: configHash("tms_5-2", "spd", CONFIG, 0),
    target: null,
    backend: "wasm",
    status: "completed",
    error: null,
    metrics: {
      mmcs: { value: mmcs, direction: "higher" },
      ml2r: { value: 0.99, direction: "target", target: 1 },
    },
    curve: [],
    timing: { startedAt: "", wallTimeS: 1, stepsPerSecond: 1, stepsDone: 10 },
    provenance,
  }));
}

const run = (argv: string[]) => runMain(main, argv);

Deno.test("compare CLI: exit 0, 1, 2 and a Markdown summary", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = join(dir, "base.jsonl");
    const same = join(dir, "same.jsonl");
    const worse = join(dir, "worse.jsonl");
    const mismatch = join(dir, "mismatch.jsonl");
    const broken = join(dir, "broken.jsonl");
    await Deno.writeTextFile(base, `${line(0, 0.999)}\n${line(1, 0.998)}\n`);
    await Deno.writeTextFile(same, `${line(1, 0.998)}\n\n${line(0, 0.999)}\n`);
    await Deno.writeTextFile(worse, `${line(0, 0.95)}\n${line(1, 0.998)}\n`);
    await Deno.writeTextFile(mismatch, `${line(0, 0.999, { steps: 20 })}\n${line(1, 0.998)}\n`);
    await Deno.writeTextFile(broken, `${line(0, 0.999)}\n\n{"schemaVersion": 1}\n`);

    const ok = await run([base, same]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^0 regressions, 0 improvements over 1 config/);

    const out = join(dir, "sub", "summary.md");
    const bad = await run([base, worse, "--out", out]);
    assert.equal(bad.code, 1, bad.err);
    const md = await Deno.readTextFile(out);
    assert.match(md, /^1 regression/);
    assert.match(md, /\| regressed \| tms_5-2 \| spd \| [0-9a-f]{12} \| mmcs \|/);
    assert.equal(bad.out, md.trimEnd());

    // A loose enough tolerance accepts the drop.
    assert.equal((await run([base, worse, "--abs", "0.1"])).code, 0);
    // Only the listed metrics are compared: ml2r is unchanged where mmcs regressed.
    const ml2rOnly = await run([base, worse, "--metric", "ml2r"]);
    assert.equal(ml2rOnly.code, 0, ml2rOnly.err);
    assert.match(ml2rOnly.out, /^0 regressions, 0 improvements over 1 config/);
    // A mistyped metric is refused, not compared as nothing (which would always pass).
    const typo = await run([base, worse, "--metric", "mmsc"]);
    assert.equal(typo.code, 2);
    assert.match(typo.err, /^compare: metric 'mmsc' is in no base record; allowed: .*\bmmcs\b/);

    const refused = await run([base, mismatch]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /refusing to compare[\s\S]*configs differ/);

    const parseErr = await run([base, broken]);
    assert.equal(parseErr.code, 2);
    assert.match(parseErr.err, /broken\.jsonl:3: record: /);

    assert.equal((await run([base, join(dir, "nope.jsonl")])).code, 2);
    assert.equal((await run([base])).code, 2);
    const badFlags: [string[], RegExp][] = [
      [["--test", "ttest"], /--test: unknown value 'ttest'; allowed: welch/],
      [["--rel", "x"], /--rel: must be a number >= 0, got 'x'/],
      [["--abs=-0.1"], /--abs: must be a number >= 0, got '-0\.1'/],
      [["--test", "welch", "--alpha", "1.5"], /--alpha: must be a number in \(0, 1\), got '1\.5'/],
      [["--test", "welch", "--alpha", "0"], /--alpha: must be a number in \(0, 1\), got '0'/],
    ];
    for (const [flags, pattern] of badFlags) {
      const r = await run([base, same, ...flags]);
      assert.equal(r.code, 2, flags.join(" "));
      assert.match(r.err, pattern);
    }
    assert.equal((await run([base, same, "--test", "welch", "--alpha", "0.01"])).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
