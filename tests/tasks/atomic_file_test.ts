import assert from "node:assert/strict";
import { join } from "node:path";
import { appendJsonLine, readJsonLines, writeFileAtomic } from "../../tasks/lib/atomic_file.ts";

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pdbench_atomic_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeFileAtomic creates, replaces content and leaves no temp files", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "report.md");
    await writeFileAtomic(path, "first version, which is longer\n");
    assert.equal(await Deno.readTextFile(path), "first version, which is longer\n");
    await writeFileAtomic(path, "second ✓\n");
    assert.equal(await Deno.readTextFile(path), "second ✓\n");
    await writeFileAtomic(path, "");
    assert.equal(await Deno.readTextFile(path), "");
    assert.deepEqual(await listDir(dir), ["report.md"]);
  });
});

Deno.test("writeFileAtomic creates missing parent directories", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a", "b", "c.json");
    await writeFileAtomic(path, "{}");
    assert.equal(await Deno.readTextFile(path), "{}");
    assert.deepEqual(await listDir(join(dir, "a", "b")), ["c.json"]);
  });
});

Deno.test("writeFileAtomic failure keeps the old file and removes the temp file", async () => {
  await withTempDir(async (dir) => {
    // Renaming a file over a non-empty directory fails after the temp file was written.
    const target = join(dir, "target");
    await Deno.mkdir(target);
    await Deno.writeTextFile(join(target, "keep"), "x");
    await assert.rejects(writeFileAtomic(target, "new"));
    assert.deepEqual(await listDir(dir), ["target"]);
    assert.deepEqual(await listDir(target), ["keep"]);
  });
});

Deno.test("appendJsonLine x3 then readJsonLines returns records in order", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "runs", "records.jsonl");
    const records = [
      { id: 1, task: "matmul", ms: 1.5 },
      { id: 2, task: "qr", tags: ["a", "b"], note: "line\nbreak" },
      { id: 3, task: "svd", ok: null },
    ];
    for (const r of records) await appendJsonLine(path, r);
    assert.deepEqual(await readJsonLines<(typeof records)[number]>(path), records);
    const text = await Deno.readTextFile(path);
    assert.equal(text.split("\n").length, 4); // 3 lines + empty after final newline
    assert.ok(text.endsWith("\n"));
    assert.deepEqual(await listDir(join(dir, "runs")), ["records.jsonl"]);
  });
});

Deno.test("appendJsonLine repairs a missing trailing newline and rejects undefined", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "r.jsonl");
    await Deno.writeTextFile(path, '{"a":1}');
    await appendJsonLine(path, { a: 2 });
    assert.equal(await Deno.readTextFile(path), '{"a":1}\n{"a":2}\n');
    await assert.rejects(appendJsonLine(path, undefined), TypeError);
    assert.equal(await Deno.readTextFile(path), '{"a":1}\n{"a":2}\n');
  });
});

Deno.test("readJsonLines: a missing file is NotFound naming it; blank and CRLF lines are fine", async () => {
  await withTempDir(async (dir) => {
    const missing = join(dir, "nope.jsonl");
    await assert.rejects(readJsonLines(missing), Deno.errors.NotFound, `${missing}: no such file`);
    const path = join(dir, "crlf.jsonl");
    await Deno.writeTextFile(path, '1\r\n\r\n"two"\r\n  \n[3]\n');
    assert.deepEqual(await readJsonLines(path), [1, "two", [3]]);
  });
});

Deno.test("readJsonLines: malformed line error names the file and line number", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "bad.jsonl");
    await Deno.writeTextFile(path, '{"ok":1}\n\n{"torn":\n{"ok":2}\n');
    await assert.rejects(readJsonLines(path), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.ok(err.message.startsWith(`${path}:3: malformed JSON line`), err.message);
      assert.ok(err.cause instanceof SyntaxError);
      return true;
    });
  });
});

Deno.test("readJsonLines: parse keeps, drops (null) or rejects a line, naming its line in the file", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "numbers.jsonl");
    await Deno.writeTextFile(path, "1\n\n-2\n3\n");
    const positive = (v: unknown) => {
      if (typeof v !== "number") throw new TypeError("not a number");
      return v > 0 ? v * 10 : null;
    };
    assert.deepEqual(await readJsonLines(path, positive), [10, 30]);
    await Deno.writeTextFile(path, '1\n\n\n"x"\n');
    await assert.rejects(readJsonLines(path, positive), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal(err.message, `${path}:4: not a number`);
      assert.ok(err.cause instanceof TypeError);
      return true;
    });
  });
});
