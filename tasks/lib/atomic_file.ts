/**
 * Crash-safe file writes for run records and reports (CLI-side I/O; not used by `bench/`).
 *
 * Every write goes to a uniquely named temporary file in the target's directory, is fsynced,
 * and is then renamed over the target. On POSIX file systems `rename` within a directory is
 * atomic, so a reader (or a process restarted after a crash) sees either the old or the new
 * content, never a mixture.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";

const encoder = new TextEncoder();

/** Returns a fresh temp-file path next to `path` (same directory, so rename is atomic). */
function tempPathFor(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(2));
  const suffix = `${Deno.pid}.${rand[0].toString(36)}${rand[1].toString(36)}`;
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

/** Best-effort fsync of a directory so the rename itself is durable (no-op where unsupported). */
async function syncDir(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  let f: Deno.FsFile | undefined;
  try {
    f = await Deno.open(dir, { read: true });
    await f.sync();
  } catch {
    // Some platforms/file systems cannot open or fsync directories; durability of the rename
    // is then up to the OS, atomicity is unaffected.
  } finally {
    f?.close();
  }
}

/**
 * Atomically replaces the file at `path` with `content` (text is written as UTF-8).
 *
 * Creates missing parent directories, writes a unique temp file in the same directory, fsyncs
 * it, renames it over `path`, then (best effort) fsyncs the directory. If anything fails the
 * temp file is removed and the previous content of `path`, if any, is left untouched.
 *
 * @param path Destination file.
 * @param content Full new content.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o644 });
    try {
      const bytes = typeof content === "string" ? encoder.encode(content) : content;
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

/**
 * Appends `record` as one JSON line (`JSON.stringify(record) + "\n"`) to the JSON-lines file at
 * `path`, creating it (and its parent directories) if needed.
 *
 * Design choice: instead of `O_APPEND` (where a crash mid-write can leave a torn final line),
 * this reads the whole existing file, writes existing content + the new line to a temp file and
 * atomically renames it over the target via {@linkcode writeFileAtomic}. An interrupted process
 * therefore leaves either the old file or the old file plus the complete new line: never a
 * partial line, never lost earlier lines. The cost is O(file size) per append, which is fine for
 * the small run-record files this is used for. It assumes a single writer per file: two
 * processes appending concurrently may lose one of the records (last rename wins).
 *
 * @param path JSON-lines file.
 * @param record Any JSON-serialisable value (not `undefined`, functions or symbols).
 * @throws {TypeError} If `record` does not serialise to JSON.
 */
export async function appendJsonLine(path: string, record: unknown): Promise<void> {
  const line = JSON.stringify(record);
  if (typeof line !== "string") {
    throw new TypeError(`appendJsonLine(${path}): record is not JSON-serialisable`);
  }
  let existing = "";
  try {
    existing = await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  // Guard against a file produced by some other writer without a trailing newline.
  if (existing.length > 0 && !existing.endsWith("\n")) existing += "\n";
  await writeFileAtomic(path, existing + line + "\n");
}

/**
 * Reads a JSON-lines file and returns its values in file order, each passed
 * through `parse` (which validates it and may drop it by returning `null`).
 *
 * Blank lines (including the one after the final newline) are skipped; `\r\n` line endings are
 * accepted. Without `parse` the values are not validated: `T` is the caller's assertion about
 * their shape.
 *
 * @param path JSON-lines file.
 * @param parse Checks one parsed line and returns what to keep, or `null` to skip it; what it
 *   throws is re-thrown with `path` and the line number in front.
 * @throws {Deno.errors.NotFound} If the file does not exist, with a message naming `path`: a
 *   mistyped input must not read as an empty one (a caller to whom a missing file means "no
 *   records yet" catches it).
 * @throws {Error} For a malformed or rejected line, with a message naming `path` and its 1-based
 *   line number in the file (e.g. `runs/x.jsonl:3: malformed JSON line: ...`); the original
 *   error is the `cause`.
 */
export async function readJsonLines<T>(
  path: string,
  parse: (value: unknown) => T | null = (value) => value as T,
): Promise<T[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`${path}: no such file`, { cause: err });
    }
    throw err;
  }
  const out: T[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      const msg = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`${path}:${i + 1}: malformed JSON line: ${msg}`, { cause });
    }
    let kept: T | null;
    try {
      kept = parse(value);
    } catch (cause) {
      const msg = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`${path}:${i + 1}: ${msg}`, { cause });
    }
    if (kept !== null) out.push(kept);
  }
  return out;
}
