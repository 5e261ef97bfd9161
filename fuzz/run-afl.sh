#!/usr/bin/env bash
# Coverage-guided fuzzing of the frame parser and the typed decoders with SharpFuzz and AFL++ (docs/RELIABILITY.md).
#   bash fuzz/run-afl.sh OUT_DIR [SECONDS]     (default: 3600 s; run it under nice -n 19 on a shared machine)
# Needs afl++ (Debian: apt-get install -y afl++). Builds the harness into OUT_DIR/bin, installs the SharpFuzz tool into
# OUT_DIR/tools, instruments FizyrRpc.Core.dll and MessagePack.dll there, and fuzzes from fuzz/corpus into
# OUT_DIR/findings. Crashes land in OUT_DIR/findings/default/crashes; replay one with
#   dotnet OUT_DIR/bin/FizyrRpc.Fuzz.dll replay FILE
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(realpath -m "${1:?usage: run-afl.sh OUT_DIR [SECONDS]}")
seconds=${2:-3600}
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 2; }
mkdir -p "$out"
dotnet publish fuzz/FizyrRpc.Fuzz -c Release -o "$out/bin" --nologo
[ -x "$out/tools/sharpfuzz" ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$out/tools"
for assembly in FizyrRpc.Core.dll MessagePack.dll; do
  "$out/tools/sharpfuzz" "$out/bin/$assembly"
done
# The target is "dotnet", not an instrumented binary; a crash is an exception escaping the harness (SharpFuzz reports it).
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
exec afl-fuzz -i fuzz/corpus -o "$out/findings" -t 10000 -m none -V "$seconds" -- dotnet "$out/bin/FizyrRpc.Fuzz.dll" afl
