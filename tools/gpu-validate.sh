#!/usr/bin/env bash
# Runs the xqsim kernel checks, calibrate and validate on a GPU machine, on the CUDA device and on the host CPU,
# from the self-contained linux-x64 tarball that tools/gpu-run.sh packs (no .NET SDK needed there). The whole run
# is capped at 10 minutes; each step has its own limit and is skipped when the budget is spent.
#
#   tools/gpu-validate.sh XQSIM_TARBALL [OUT_DIR]
#
# Writes OUT_DIR (default validation/gpu-<UTC date>):
#   device.txt                 nvidia-smi (name, driver, memory, clocks), host, load
#   kernels.txt                xqsim kernels --device cuda --roofline (each ILGPU kernel vs the scalar reference, then the
#                              GPU-shaped kernels timed at a decode-sized shape: fractions of the profile matched by the
#                              device name (h200, h100-sxm, h100-pcie); predictions to compare with: docs/kernels.md)
#   calibrated-gpu.json        xqsim calibrate --device cuda
#   summary.csv, kernels.csv, roofline-points.csv, validation.md, steps.csv (header only)
#                              xqsim validate --device cuda (ILGPU kernels at the grid's shapes; no decode steps)
#   calibrated-host-cpu.json   xqsim calibrate --device cpu (the GPU host's CPU)
#   cpu/                       xqsim validate --device cpu (fast CPU kernels and decode steps)
#   status.txt                 one line per step: name, exit code, seconds
#   run.log                    everything the steps printed
# STATUS: written without a GPU; the CUDA path has run only on ILGPU's CPU emulator (--device ilgpu-cpu), never on
# a real GPU yet. A CUDA step that fails is recorded in status.txt and run.log, and the CPU pair still runs.
set -uo pipefail
tarball=${1:?usage: tools/gpu-validate.sh XQSIM_TARBALL [OUT_DIR]}
out=${2:-validation/gpu-$(date -u +%Y%m%dT%H%M%SZ)}
start=$(date +%s)
deadline=$(( start + 600 ))
left() { echo $(( deadline - $(date +%s) )); }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" || { echo "cannot unpack $tarball" >&2; exit 2; }
xq=$(find "$work" -type f -name xqsim -perm -u+x | head -n1)
[ -n "$xq" ] || { echo "no xqsim executable in $tarball" >&2; exit 2; }
log="$out/run.log"
status="$out/status.txt"
: > "$status"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "host: $(hostname)"; echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) threads)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv 2>&1 || echo "nvidia-smi not available"
} > "$out/device.txt"
run() { # run NAME SECONDS CMD...: runs CMD under a time limit, logs it, records NAME, exit code and seconds
  local name=$1 secs=$2; shift 2
  local budget; budget=$(left)
  (( budget < secs )) && secs=$budget
  if (( secs <= 5 )); then
    echo "skip $name: time budget spent" | tee -a "$log"
    echo "$name skipped 0" >> "$status"
    return 124
  fi
  echo "== $name (limit ${secs}s): $*" | tee -a "$log"
  local t0; t0=$(date +%s)
  timeout "$secs" "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  echo "== $name exit $rc" | tee -a "$log"
  echo "$name $rc $(( $(date +%s) - t0 ))" >> "$status"
  return "$rc"
}
cd "$work"
# GPU: kernel correctness and the tiled kernels' fractions first (about 30 s expected: PTX JIT, a 128 MB X made on the
# device, five kernels x 5 runs), then calibrate (well under 2 minutes on an H100/H200) and validate (under 4).
run kernels-cuda 120 "$xq" kernels --device cuda --roofline > "$out/kernels.txt"
if run calibrate-cuda 150 "$xq" calibrate --device cuda --out "$out/calibrated-gpu.json"; then
  run validate-cuda 240 "$xq" validate --device cuda --calibration "$out/calibrated-gpu.json" --out "$out"
else
  echo "calibrate --device cuda failed (see run.log); validate --device cuda needs its profile and is skipped" | tee -a "$log"
  echo "validate-cuda skipped 0" >> "$status"
fi
# CPU pair on the GPU host, in whatever time is left (the quick plan when under 3 minutes remain).
if run calibrate-cpu 90 "$xq" calibrate --device cpu --out "$out/calibrated-host-cpu.json"; then
  quick=()
  (( $(left) < 180 )) && quick=(--quick) && echo "under 3 minutes left: validate --device cpu runs --quick" | tee -a "$log"
  run validate-cpu "$(left)" "$xq" validate --device cpu "${quick[@]}" --calibration "$out/calibrated-host-cpu.json" --out "$out/cpu"
fi
echo "results in $out ($(( $(date +%s) - start ))s used); status:" | tee -a "$log"
cat "$status" | tee -a "$log"
