#!/usr/bin/env bash
# Runs inside an unpacked GPU pack (see tools/gpu/pack.sh), offline:
#   pdbench-gpu/run.sh [OUTDIR] [quick|full]
# 1. checks that WebGPU sees the GPU, 2. checks that webgpu agrees with wasm (every toy x
# method, short runs), 3. measures steps/s for every toy x method on webgpu and wasm.
# Records go to OUTDIR (default ./pdbench-gpu-out): agreement.jsonl, speed.jsonl, log.txt.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-pdbench-gpu-out}" && cd "${1:-pdbench-gpu-out}" && pwd)
mode=${2:-full}
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}" NO_COLOR=1 RUST_BACKTRACE=0
export PDBENCH_WASM_DIR="$here/" PDBENCH_SPEED_CELL="$here/speed_cell.js" DENO_NO_UPDATE_CHECK=1
export DENO_DIR="$out/.deno" # nothing is downloaded; keeps Deno's cache out of $HOME

# The NVIDIA Vulkan driver ships as libGLX_nvidia.so.0; containers started without the
# "graphics" capability may have the library but no ICD manifest. Write one if needed.
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] &&
  ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1; then
  nv=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 / {print $NF; exit}')
  if [ -n "$nv" ]; then
    cat >"$out/nvidia_icd.json" <<JSON
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$nv", "api_version": "1.3.0" } }
JSON
    export VK_ICD_FILENAMES="$out/nvidia_icd.json"
  fi
fi

deno="$here/deno"
log="$out/log.txt"
echo "pdbench GPU run: $(cat "$here/COMMIT" | tr '\n' ' ') on $(hostname), $(date -u +%FT%TZ)" | tee "$log"
command -v nvidia-smi >/dev/null && nvidia-smi -L | tee -a "$log"
toys="tms_5-2,tms_5-2-id,tms_40-10,tms_40-10-id,resid_mlp_1,resid_mlp_2,resid_mlp_3"
if [ "$mode" = quick ]; then toys="tms_5-2,resid_mlp_1"; runs=1; else runs=3; fi
toys=${PDBENCH_TOYS:-$toys} # e.g. PDBENCH_TOYS=tms_5-2 for a smoke test

"$deno" run -A "$here/speed_cell.js" --backend webgpu --peak 2>&1 | grep -v "Hi, looks\|tfjs-node" |
  tee -a "$log"
"$deno" run -A "$here/agree.js" --backend webgpu --reference wasm --toy "$toys" \
  --out "$out/agreement.jsonl" 2>&1 | grep -v "Hi, looks\|tfjs-node" | tee -a "$log"
agree=${PIPESTATUS[0]}
"$deno" run -A "$here/speed.js" --backend webgpu,wasm --toy "$toys" --runs "$runs" \
  --out "$out/speed.jsonl" 2>&1 | grep -v "Hi, looks\|tfjs-node" | tee -a "$log"
speed=${PIPESTATUS[0]}
echo "agreement exit $agree, speed exit $speed; records in $out" | tee -a "$log"
[ "$agree" -eq 0 ] && [ "$speed" -eq 0 ]
