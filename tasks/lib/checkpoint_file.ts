/**
 * Checkpoint files of the bench task (CLI-side I/O). One file per job holds
 * a {@linkcode SavedRun}: a JSON header (the job's identity, the code hash,
 * the step, Adam's count, the random streams, the curve, the tensor shapes)
 * followed by the float32 values of the parameters and both Adam moments.
 *
 * Layout: 8 bytes `PDBCKPT1`, the header's byte length (uint32, little
 * endian), the header (UTF-8 JSON), zero padding to a multiple of 4, then the
 * float32 values (little endian) of every parameter, every first moment and
 * every second moment, in variable order. Files are replaced atomically, so
 * a process killed mid-save leaves the previous checkpoint.
 *
 * @module
 */
import { join } from "node:path";
import {
  decodeCurve,
  encodeNonFinite,
  type JobCheckpointing,
  type JobSpec,
  type SavedRun,
  targetHash,
  type TrainedTarget,
  type TrainState,
} from "../../mod.ts";
import { writeFileAtomic } from "./atomic_file.ts";

const MAGIC = "PDBCKPT1";

/** The code a run uses: its `codeHash()` (`code_hash.ts`) and, for messages, its git commit. */
export interface CodeVersion {
  /** `codeHash()` of the running code. */
  readonly hash: string;
  /** Git commit, or null outside a repository. */
  readonly gitCommit: string | null;
}

/** What a checkpoint must match to be resumed: the job, the target, the backend and the code. */
export interface CheckpointIdentity {
  /** The job's identity (config hash and seed). */
  readonly jobId: string;
  /** SHA-256 of the target tensors. */
  readonly targetHash: string;
  /** TF.js backend (another backend rounds differently). */
  readonly backend: string;
  /** `codeHash()` of the code (uncommitted edits included; `code_hash.ts`). */
  readonly codeHash: string;
  /** Git commit the code was at, or null (not checked: for the message). */
  readonly gitCommit: string | null;
}

interface Header {
  readonly format: typeof MAGIC;
  readonly identity: CheckpointIdentity;
  readonly elapsedS: number;
  readonly stepsDone: number;
  readonly adamT: number;
  readonly rngs: TrainState["rngs"];
  readonly curve: unknown;
  readonly shapes: number[][];
}

/** `DIR/<toy>__<method>__s<seed>__<configHash[0:12]>__<backend>.ckpt`, like a run id. */
export function checkpointPath(
  dir: string,
  job: Pick<JobSpec, "toy" | "method" | "seed" | "configHash">,
  backend: string,
): string {
  const name = [job.toy, job.method, `s${job.seed}`, job.configHash.slice(0, 12), backend];
  return join(dir, `${name.join("__")}.ckpt`);
}

/** Encodes a saved run with its identity. */
export function encodeCheckpoint(identity: CheckpointIdentity, saved: SavedRun): Uint8Array {
  const { state } = saved;
  const tensors = [
    ...state.params.map((p) => p.values),
    ...state.adam.m,
    ...state.adam.v,
  ];
  const header: Header = {
    format: MAGIC,
    identity,
    elapsedS: saved.elapsedS,
    stepsDone: state.stepsDone,
    adamT: state.adam.t,
    rngs: state.rngs,
    curve: encodeNonFinite(state.curve),
    shapes: state.params.map((p) => [...p.shape]),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const floats = tensors.reduce((n, t) => n + t.length, 0);
  const bytes = new Uint8Array(dataStart + 4 * floats);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  const view = new DataView(bytes.buffer, dataStart);
  let at = 0;
  for (const t of tensors) for (const x of t) view.setFloat32(4 * at++, x, true);
  return bytes;
}

/** A decoded checkpoint file. */
export interface Checkpoint {
  /** Whose state it is. */
  readonly identity: CheckpointIdentity;
  /** The state and the training time so far. */
  readonly saved: SavedRun;
}

/** Decodes a checkpoint file; throws naming `path` when it is not one or is cut short. */
export function decodeCheckpoint(bytes: Uint8Array, path: string): Checkpoint {
  const fail = (why: string) => new Error(`checkpoint ${path}: ${why}`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw fail(`not a pdbench checkpoint (no ${MAGIC} header)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + headerLength > bytes.length) throw fail("header cut short");
  let h: Header;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw fail("header is not JSON");
  }
  if (h.format !== MAGIC || !Array.isArray(h.shapes)) throw fail("header lacks format or shapes");
  const sizes = h.shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const floats = 3 * sizes.reduce((a, b) => a + b, 0);
  const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
  if (bytes.length !== dataStart + 4 * floats) {
    throw fail(
      `expected ${floats} float32 values after the header, found ${(bytes.length - dataStart) / 4}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart);
  let at = 0;
  const take = (n: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * at++, true);
    return out;
  };
  const params = h.shapes.map((shape, i) => ({ shape, values: take(sizes[i]) }));
  const m = sizes.map(take);
  const v = sizes.map(take);
  const state: TrainState = {
    stepsDone: h.stepsDone,
    params,
    adam: { t: h.adamT, m, v },
    rngs: h.rngs,
    curve: decodeCurve(h.curve, `checkpoint ${path}`),
  };
  return { identity: h.identity, saved: { state, elapsedS: h.elapsedS } };
}

/** Reads the checkpoint at `path`, or null when there is none. */
export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  try {
    return decodeCheckpoint(await Deno.readFile(path), path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/**
 * Throws when a checkpoint belongs to another job, target, backend or code,
 * naming the field and both values: resuming it would not give the bits of
 * an unbroken run.
 */
export function assertSameIdentity(
  path: string,
  found: CheckpointIdentity,
  wanted: CheckpointIdentity,
): void {
  for (const key of ["jobId", "targetHash", "backend", "codeHash"] as const) {
    if (found[key] !== wanted[key]) {
      const at = found.gitCommit === null
        ? ""
        : ` (git checkout ${found.gitCommit}, undo any edits)`;
      throw new Error(
        `checkpoint ${path}: ${key} is ${found[key]}, this run has ${wanted[key]}; ` +
          (key === "codeHash" ? `resume with the code it was written by${at} or ` : "") +
          "delete the file to start the job from step 0",
      );
    }
  }
}

/** How the bench task checkpoints its jobs. */
export interface CheckpointOptions {
  /** Folder of the checkpoint files. */
  readonly dir: string;
  /** Save every this many updates; null: by wall time. */
  readonly everySteps: number | null;
  /** Without `everySteps`: save when this many minutes passed since the last save; 0: never. */
  readonly everyMinutes: number;
  /** Ignore existing checkpoints (start every job from step 0). */
  readonly fresh: boolean;
  /** Stop each job after this many updates and record it as "partial" (`--stop-at`); null: never. */
  readonly stopAt: number | null;
  /** The running code. */
  readonly code: CodeVersion;
}

/** The save policy of {@linkcode CheckpointOptions}; `now` is a clock in milliseconds. */
export function savePolicy(
  opts: Pick<CheckpointOptions, "everySteps" | "everyMinutes">,
  now: () => number = () => performance.now(),
): (stepsDone: number) => boolean {
  const { everySteps, everyMinutes } = opts;
  if (everySteps !== null) return (stepsDone) => stepsDone % everySteps === 0;
  if (everyMinutes === 0) return () => false;
  let last = now();
  return () => {
    if (now() - last < everyMinutes * 60_000) return false;
    last = now();
    return true;
  };
}

/**
 * The checkpointing of one job: resumes from its checkpoint file when there
 * is one (after checking it belongs to this job, target, backend and code),
 * and saves to it (atomically) as the policy says.
 */
export async function openJobCheckpoint(
  opts: CheckpointOptions,
  job: JobSpec,
  target: TrainedTarget,
  backend: string,
): Promise<JobCheckpointing> {
  const path = checkpointPath(opts.dir, job, backend);
  const identity: CheckpointIdentity = {
    jobId: job.jobId,
    targetHash: targetHash(target.tensors),
    backend,
    codeHash: opts.code.hash,
    gitCommit: opts.code.gitCommit,
  };
  const found = opts.fresh ? null : await readCheckpoint(path);
  if (found) assertSameIdentity(path, found.identity, identity);
  return {
    shouldSave: savePolicy(opts),
    resume: found?.saved,
    ...(opts.stopAt === null ? {} : { stopAt: opts.stopAt }),
    save: (saved) => writeFileAtomic(path, encodeCheckpoint(identity, saved)),
  };
}
