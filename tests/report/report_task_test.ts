import assert from "node:assert/strict";
import { buildReport, encodeNonFinite, REPORT_CSP } from "../../mod.ts";
import {
  isSweepFile,
  main,
  readReportInputs,
  REPORT_MANIFEST,
  writeReport,
} from "../../tasks/report.ts";
import { vegaLiteValidator } from "../../tasks/lib/vl_schema.ts";
import { criterionFor, residRecord, sweepRecords, tmsRecord } from "../helpers/report_records.ts";

Deno.test("writeReport: a spec, SVG and PNG per chart, offline index.html and summary.md tables", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdbench-report-" });
  try {
    await Deno.writeTextFile(`${dir}/keep.txt`, "not the report's");
    const old = tmsRecord({ seed: 3, withArtifacts: false, config: { steps: 7 } });
    const report = buildReport({
      records: [tmsRecord(), tmsRecord({ seed: 1 }), residRecord(), old, ...sweepRecords()],
      criterionFor,
    });
    const ids = report.charts.map((c) => c.id);
    for (
      const prefix of [
        "recovery",
        "robustness__",
        "ci_heatmap__",
        "cosine__",
        "neuron_contributions__",
        "loss_curves__",
        "throughput",
      ]
    ) {
      assert.ok(ids.some((id) => id.startsWith(prefix)), `a ${prefix} chart`);
    }
    // The old record and the 5 sweep cells other than the base config have no artifacts.
    assert.equal(report.withoutArtifacts.length, 6);
    assert.ok(report.withoutArtifacts.every((l) => l.startsWith("tms_5-2 · spd [")));
    await writeReport(report, dir, ["a.jsonl"]);
    const names = new Set([...Deno.readDirSync(dir)].map((e) => e.name));
    assert.ok(names.has("keep.txt"), "other files are left alone");
    assert.ok(names.has(REPORT_MANIFEST));
    const validate = await vegaLiteValidator();
    for (const id of ids) {
      for (const ext of [".vl.json", ".svg", ".png"]) assert.ok(names.has(id + ext), id + ext);
      const spec = JSON.parse(await Deno.readTextFile(`${dir}/${id}.vl.json`));
      assert.deepEqual(validate(spec), []);
      const png = await Deno.readFile(`${dir}/${id}.png`);
      assert.equal(String.fromCharCode(...png.subarray(1, 4)), "PNG");
    }
    const html = await Deno.readTextFile(`${dir}/index.html`);
    assert.ok(html.includes(REPORT_CSP), "CSP forbids network requests");
    assert.ok(!/<script[^>]+src=|<link[^>]+href=/i.test(html), "no external script or stylesheet");
    assert.ok(html.includes("vegaEmbed") && html.length > 500_000, "bundles inlined");
    const md = await Deno.readTextFile(`${dir}/summary.md`);
    for (
      const h of [
        "Recovery per setup",
        "Every run",
        "Robustness per toy × method",
        "Training speed",
      ]
    ) {
      assert.ok(md.includes(`## ${h}`), h);
    }
    assert.match(md, /\|setup\|runs\|solved\|mmcs_mean/);
    assert.ok(!md.includes("|null|"), "missing values print as -");
    assert.ok(md.includes("SPD paper Table 1"));
    assert.ok(
      md.includes("![Recovery (MMCS) and shrinkage (ML2R) per toy × method](recovery.png)"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeReport: a rebuild replaces what the last report listed and refuses to overwrite anything else", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdbench-report-" });
  const listed = async () =>
    (await Deno.readTextFile(`${dir}/${REPORT_MANIFEST}`)).trim().split("\n").sort();
  const present = () =>
    [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n !== REPORT_MANIFEST).sort();
  try {
    const both = buildReport({ records: [tmsRecord(), residRecord()], criterionFor });
    await writeReport(both, dir, ["a.jsonl"]);
    assert.deepEqual(await listed(), present());
    assert.ok(present().some((n) => n.startsWith("neuron_contributions__")));
    // A rebuild from fewer records removes the charts that are no longer made.
    await writeReport(buildReport({ records: [tmsRecord()], criterionFor }), dir, ["b.jsonl"]);
    assert.deepEqual(await listed(), present());
    assert.ok(!present().some((n) => n.startsWith("neuron_contributions__")));
    // A folder holding files the report did not write: nothing is overwritten or removed.
    await Deno.remove(`${dir}/${REPORT_MANIFEST}`);
    await Deno.writeTextFile(`${dir}/figure.png`, "mine");
    const before = present();
    await assert.rejects(
      writeReport(both, dir, ["a.jsonl"]),
      new RegExp(
        `^Error: --out ${dir}: would overwrite \\d+ file\\(s\\) that no earlier report listed`,
      ),
    );
    assert.deepEqual(present(), before);
    assert.equal(await Deno.readTextFile(`${dir}/figure.png`), "mine");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readReportInputs: run records and benchmark records; other lines are refused with file:line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const f = `${dir}/in.jsonl`;
    const timing = {
      kind: "speed",
      schemaVersion: 1,
      version: "current",
      toy: "tms_5-2",
      method: "spd",
      backend: "wasm",
      stepsPerSecond: 20,
    };
    const older = { ...timing, version: "baseline", stepsPerSecond: 10 };
    await Deno.writeTextFile(
      f,
      [encodeNonFinite(tmsRecord()), timing, older].map((o) => JSON.stringify(o)).join("\n") +
        "\n",
    );
    const r = await readReportInputs(f);
    assert.equal(r.records.length, 1);
    assert.equal(r.records[0].artifacts?.version, 1);
    assert.deepEqual(r.throughput.map((p) => [p.source, p.stepsPerSecond]), [["speed", 20]]);
    await Deno.writeTextFile(
      f,
      JSON.stringify(timing) + "\n" + JSON.stringify({ toy: "x" }) + "\n",
    );
    await assert.rejects(() => readReportInputs(f), /in\.jsonl:2: neither a run record/);
    await Deno.writeTextFile(f, "5\n");
    await assert.rejects(() => readReportInputs(f), /in\.jsonl:1: neither a run record/);
    await Deno.writeTextFile(f, JSON.stringify({ schemaVersion: 99 }) + "\n");
    await assert.rejects(() => readReportInputs(f), /in\.jsonl:1: record: schemaVersion must be 1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report CLI: unknown options are refused before any work", async () => {
  await assert.rejects(() => main(["--bogus"]), /Unknown option '--bogus'/);
  await assert.rejects(() => main(["--out"]), /--out/);
});

Deno.test("isSweepFile: records in a folder named sweeps are sweep runs", () => {
  assert.equal(isSweepFile("reports/sweeps/tms_5-2_apd.jsonl"), true);
  assert.equal(isSweepFile("/tmp/x/sweeps/a.jsonl"), true);
  assert.equal(isSweepFile("reports/results/tms_5-2_apd_paper.jsonl"), false);
  assert.equal(isSweepFile("runs/sweeps.jsonl"), false);
});
