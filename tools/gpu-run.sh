#!/usr/bin/env bash
# Packs a self-contained linux-x64 xqsim (no .NET needed on the target) as dist/xqsim-linux-x64.tar.gz
# and prints how to run the kernel checks, calibrate and validate on a GPU machine. Usage: tools/gpu-run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/xqsim-linux-x64
rm -rf "$out" "$out.tar.gz"
dotnet publish XQuant.Sim/XQuant.Sim.csproj -c Release -r linux-x64 --self-contained true \
  -p:PublishTrimmed=false -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out" >/dev/null
tar -C dist -czf "$out.tar.gz" xqsim-linux-x64
bytes=$(stat -c %s "$out.tar.gz")
limit=$((64 * 1024 * 1024))
echo "wrote $out.tar.gz ($((bytes / 1024 / 1024)) MiB)"
if [ "$bytes" -ge "$limit" ]; then
  echo "error: the tarball is over 64 MiB" >&2
  exit 1
fi
cat <<MSG
On the GPU machine (NVIDIA driver installed; no .NET needed), copy the tarball and tools/gpu-validate.sh over and run:
  tools/gpu-validate.sh xqsim-linux-x64.tar.gz OUT_DIR
(kernels, calibrate and validate on --device cuda, then the CPU pair, within 10 minutes; untested on a real GPU so far).
Or by hand:
  tar -xzf xqsim-linux-x64.tar.gz && cd xqsim-linux-x64 && nvidia-smi --query-gpu=name,driver_version --format=csv && ./xqsim kernels --device cuda --roofline
  ./xqsim calibrate --device cuda --out calibrated-gpu.json && ./xqsim validate --device cuda --calibration calibrated-gpu.json --out gpu
A larger kernel-check shape, e.g.: ./xqsim kernels --device cuda --shape tokens=4096,d=4096,dkv=1024,headdim=128,group=4,g=128
MSG
