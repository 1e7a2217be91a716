#!/usr/bin/env bash
# Runs xqsim calibrate + validate on a GPU machine from the self-contained linux-x64 publish tarball that
# tools/gpu-run.sh (kernels engineer) produces; no .NET SDK needed there. Whole run capped at 10 minutes.
#
#   tools/gpu-validate.sh XQSIM_TARBALL [OUT_DIR]
#
# Writes OUT_DIR (default validation/gpu-<UTC date>) with: device.txt (nvidia-smi, driver), kernels.txt
# (xqsim kernels --device cuda), calibrated-gpu.json, the validate outputs, and run.log.
# STATUS: UNTESTED (no GPU in the session that wrote it). calibrate/validate accept only --device cpu today;
# with --device cuda they exit 2 with "only cpu is calibrated so far", which this script records and reports,
# then still runs the CPU pair on the GPU host's CPU so the run is not wasted.
set -uo pipefail
tarball=${1:?usage: tools/gpu-validate.sh XQSIM_TARBALL [OUT_DIR]}
out=${2:-validation/gpu-$(date -u +%Y%m%dT%H%M%SZ)}
deadline=$(( $(date +%s) + 600 ))
left() { echo $(( deadline - $(date +%s) )); }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work" || { echo "cannot unpack $tarball" >&2; exit 2; }
xq=$(find "$work" -type f -name xqsim -perm -u+x | head -n1)
[ -n "$xq" ] || { echo "no xqsim executable in $tarball" >&2; exit 2; }
log="$out/run.log"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "host: $(hostname)"; echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "nvidia-smi not available"
} > "$out/device.txt"
run() { # run NAME SECONDS CMD...
  local name=$1 secs=$2; shift 2
  local budget; budget=$(left)
  (( budget < secs )) && secs=$budget
  if (( secs <= 5 )); then echo "skip $name: time budget spent" | tee -a "$log"; return 124; fi
  echo "== $name (limit ${secs}s): $*" | tee -a "$log"
  timeout "$secs" "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  echo "== $name exit $rc" | tee -a "$log"
  return "$rc"
}
cd "$work"
run kernels 120 "$xq" kernels --device cuda > "$out/kernels.txt"
gpu=0
if run calibrate-cuda 150 "$xq" calibrate --device cuda --out "$out/calibrated-gpu.json"; then
  run validate-cuda 240 "$xq" validate --device cuda --calibration "$out/calibrated-gpu.json" --out "$out" && gpu=1
fi
if (( gpu == 0 )); then
  echo "GPU calibrate/validate did not complete (see run.log); running the CPU pair on this host instead" | tee -a "$log"
  run calibrate-cpu 120 "$xq" calibrate --device cpu --out "$out/calibrated-host-cpu.json" &&
    run validate-cpu "$(left)" "$xq" validate --device cpu --calibration "$out/calibrated-host-cpu.json" --out "$out/cpu"
fi
echo "results in $out ($(( 600 - $(left) ))s used)"
