import assert from "node:assert/strict";
import { join } from "node:path";
import { collectProvenance, parseCpuModel } from "../../tasks/lib/provenance.ts";

const HEX40 = /^[0-9a-f]{40}$/;

async function hasGit(): Promise<boolean> {
  try {
    return (await new Deno.Command("git", { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}
const noGit = !(await hasGit());

async function git(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

Deno.test("collectProvenance in the current directory", async () => {
  const p = await collectProvenance("4.22.0");
  assert.equal(p.cpuCores, navigator.hardwareConcurrency);
  assert.ok(p.cpuCores >= 1);
  assert.ok(p.gitCommit === null || HEX40.test(p.gitCommit), String(p.gitCommit));
  if (p.gitCommit === null) assert.equal(p.gitDirty, null);
  else assert.equal(typeof p.gitDirty, "boolean");
  assert.equal(p.tfjs, "4.22.0");
  assert.equal(p.deno, Deno.version.deno);
  assert.equal(p.v8, Deno.version.v8);
  assert.equal(p.typescript, Deno.version.typescript);
  assert.equal(p.arch, Deno.build.arch);
  assert.ok(p.os.startsWith(`${Deno.build.os} `), p.os);
  assert.equal(p.hostname, Deno.hostname());
  assert.ok(p.cpuModel === null || p.cpuModel.length > 0);
  // Plain JSON round-trips unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
});

Deno.test("collectProvenance: not a repo, empty repo, clean and dirty commits", {
  ignore: noGit,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdbench_prov_" });
  try {
    let p = await collectProvenance("x", { cwd: dir });
    assert.equal(p.gitCommit, null);
    assert.equal(p.gitDirty, null);

    await git(dir, "init", "-q");
    await Deno.writeTextFile(join(dir, "a.txt"), "a\n");
    p = await collectProvenance("x", { cwd: dir });
    assert.equal(p.gitCommit, null); // no commits yet
    assert.equal(p.gitDirty, null);

    await git(dir, "add", "a.txt");
    await git(
      dir,
      ..."-c user.name=t -c user.email=t@example.com -c commit.gpgsign=false".split(" "),
      "commit",
      "-q",
      "-m",
      "init",
    );
    p = await collectProvenance("x", { cwd: dir });
    assert.match(p.gitCommit ?? "", HEX40);
    assert.equal(p.gitDirty, false);

    await Deno.writeTextFile(join(dir, "a.txt"), "changed\n");
    const p2 = await collectProvenance("x", { cwd: dir });
    assert.equal(p2.gitCommit, p.gitCommit);
    assert.equal(p2.gitDirty, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cpu model from a cpuinfo file; null when missing or absent", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdbench_prov_" });
  try {
    const path = join(dir, "cpuinfo");
    await Deno.writeTextFile(
      path,
      "processor\t: 0\nvendor_id\t: X\nmodel name\t: Fancy CPU @ 3.00GHz  \n\n" +
        "processor\t: 1\nmodel name\t: Other\n",
    );
    assert.equal(
      (await collectProvenance("x", { cpuinfoPath: path })).cpuModel,
      "Fancy CPU @ 3.00GHz",
    );
    assert.equal(
      (await collectProvenance("x", { cpuinfoPath: join(dir, "missing") })).cpuModel,
      null,
    );
    assert.equal(parseCpuModel("processor\t: 0\nFeatures\t: fp asimd\n"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
