#!/usr/bin/env bash
# Packs what a speed and agreement run on a GPU machine needs into one .tar.gz (at most 64 MiB):
# the pinned Deno binary, the suite bundled into three single-file scripts (speed benchmark, its
# per-run cell, backend agreement), TF.js's wasm binaries and the Vulkan loader library. The
# target machine needs no network, no node_modules and no Deno install; only an NVIDIA driver
# with its Vulkan ICD (run.sh writes a manifest when the driver library is there without one).
#
#   tools/gpu/pack.sh [OUT.tar.gz]          # default dist/pdbench-gpu.tar.gz
#   # copy it over, then on the GPU machine:
#   tar -xzf pdbench-gpu.tar.gz && pdbench-gpu/run.sh [OUTDIR] [quick|full]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-dist/pdbench-gpu.tar.gz}
limit=$((64 * 1024 * 1024))
D=tools/deno/node_modules/.bin/deno
[ -x "$D" ] || npm ci --prefix tools/deno --no-audit --no-fund --loglevel=error
[ -d node_modules/@tensorflow ] || "$D" install --frozen --quiet

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage="$tmp/pdbench-gpu"
mkdir -p "$stage/lib"
for entry in speed speed_cell agree; do
  "$D" bundle --quiet --platform deno -o "$tmp/$entry.js" "tasks/$entry.ts"
  # TF.js's Emscripten loader reads __dirname in Node mode; an ES module bundle has none.
  { echo 'globalThis.__dirname ??= new URL(".", import.meta.url).pathname.replace(/\/$/, "");'
    cat "$tmp/$entry.js"; } >"$stage/$entry.js"
done
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$stage/"
cp "$(readlink -f tools/deno/node_modules/deno/deno)" "$stage/deno"
vulkan=$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ {print $NF; exit}')
if [ -z "$vulkan" ]; then
  echo "pack: libvulkan.so.1 not found; install it first: apt-get install libvulkan1" >&2
  exit 1
fi
cp -L "$vulkan" "$stage/lib/libvulkan.so.1"
cp tools/gpu/run.sh "$stage/run.sh"
git rev-parse HEAD >"$stage/COMMIT" 2>/dev/null || echo unknown >"$stage/COMMIT"
git status --porcelain 2>/dev/null | grep -q . && echo dirty >>"$stage/COMMIT" || true

mkdir -p "$(dirname "$out")"
tar -czf "$out" -C "$tmp" pdbench-gpu
size=$(stat -c %s "$out")
echo "pack: $out, $((size / 1024 / 1024)) MiB ($(ls "$stage" | tr '\n' ' '))"
if [ "$size" -gt "$limit" ]; then
  echo "pack: larger than 64 MiB" >&2
  exit 1
fi
