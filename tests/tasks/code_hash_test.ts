import assert from "node:assert/strict";
import { join } from "node:path";
import { codeHash } from "../../tasks/lib/code_hash.ts";

/** A minimal repository layout in a temp folder. */
async function tree(): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const dir of ["bench/methods", "tasks/lib"]) {
    await Deno.mkdir(join(root, dir), { recursive: true });
  }
  const files: Record<string, string> = {
    "mod.ts": "export {};\n",
    "deno.json": "{}\n",
    "deno.lock": "{}\n",
    "bench/methods/m.ts": "export const a = 1;\n",
    "bench/profiles.json": "{}\n",
    "tasks/lib/t.ts": "export const b = 2;\n",
    "README.md": "# readme\n",
  };
  for (const [path, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

Deno.test("codeHash: follows code and config under bench/ and tasks/, not README or results", async () => {
  const root = await tree();
  const base = await codeHash(root);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(await codeHash(root), base, "deterministic");
  await Deno.writeTextFile(join(root, "README.md"), "# results committed\n");
  await Deno.mkdir(join(root, "reports"));
  await Deno.writeTextFile(join(root, "reports/r.jsonl"), "{}\n");
  assert.equal(await codeHash(root), base, "prose and records do not count");
  await Deno.writeTextFile(join(root, "bench/methods/m.ts"), "export const a = 2;\n");
  const edited = await codeHash(root);
  assert.notEqual(edited, base, "an uncommitted edit counts");
  await Deno.writeTextFile(join(root, "bench/methods/new.ts"), "\n");
  assert.notEqual(await codeHash(root), edited, "a new file counts");
  const now = await codeHash(root);
  assert.equal(await codeHash(root, []), now, "no plugins: the plain hash");
  const withPlugin = await codeHash(root, ["a".repeat(64)]);
  assert.notEqual(withPlugin, now, "a plugin counts");
  assert.notEqual(await codeHash(root, ["b".repeat(64)]), withPlugin, "and so does its content");
  await Deno.remove(root, { recursive: true });
});

Deno.test("codeHash of this repository is a SHA-256", async () => {
  assert.match(await codeHash(), /^[0-9a-f]{64}$/);
});
