/**
 * Disk cache of trained targets. The key hashes the toy's target config, its
 * target-code version, the requested seed and the backend; a cached file is
 * checked (content hash, toy, seed) when loaded and retrained when it fails.
 *
 * @module
 */
import { join } from "node:path";
import {
  hashOf,
  targetFromJson,
  targetToJson,
  type TrainedTarget,
} from "../../bench/toys/trained_target.ts";
import { type Toy, trainHealthyTarget } from "../../bench/toys/toy.ts";
import { MAX_TARGET_ATTEMPTS } from "../../bench/toys/toy.ts";
import { RNG_VERSION } from "../../bench/runtime/rng.ts";
import { writeFileAtomic } from "./atomic_file.ts";

/** The cache key of a toy's target. */
export function targetCacheKey(toy: Toy, seed: number, backend: string): string {
  return hashOf({
    toy: toy.id,
    config: toy.targetConfig,
    code: toy.targetCodeVersion,
    seed,
    backend,
    maxAttempts: MAX_TARGET_ATTEMPTS,
    rng: RNG_VERSION,
  });
}

/**
 * Returns the healthy target for `(toy, seed)` from `dir`, training and
 * storing it on a miss. `log` receives one line about what happened.
 */
export async function loadOrTrainTarget(
  toy: Toy,
  seed: number,
  backend: string,
  dir: string,
  log: (line: string) => void = () => {},
): Promise<TrainedTarget> {
  const key = targetCacheKey(toy, seed, backend);
  const path = join(dir, `${toy.id}-s${seed}-${key.slice(0, 16)}.json`);
  try {
    const target = targetFromJson(JSON.parse(await Deno.readTextFile(path)));
    if (target.toy !== toy.id || target.seedRequested !== seed) {
      throw new Error(`holds toy '${target.toy}' seed ${target.seedRequested}`);
    }
    log(`target ${toy.id} seed ${seed}: cached (${path})`);
    return target;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      log(
        `target ${toy.id} seed ${seed}: cache file rejected (${
          (err as Error).message
        }); retraining`,
      );
    }
  }
  const t0 = performance.now();
  const target = await trainHealthyTarget(toy, seed);
  await writeFileAtomic(path, JSON.stringify(targetToJson(target)));
  log(
    `target ${toy.id} seed ${seed}: trained in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s, ` +
      `seed used ${target.seedUsed} (${target.attempts.length} attempt(s))`,
  );
  return target;
}
