#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Fuzz adn-nf for longer than the suite does, keeping what is found.
#
#   tools/fuzz.sh [SECONDS] [HARNESS]     (default: 600 s, every harness)
#
# Harnesses (docs/testing.md): config plan files packet clip ppm control
# http rpc. The harnesses do not pin themselves to a CPU: runs side by side
# (one per CPU, each its own HARNESS) each get one.
# Builds with clang + libFuzzer + ASan/UBSan in build/fuzz-clang (once),
# keeps each harness's corpus in build/fuzz-corpus/HARNESS across runs and
# leaves crashing inputs in build/fuzz-clang/crashes/HARNESS/. BUILD_DIR
# in the environment picks another build directory than build.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
seconds=${1:-600}
mkdir -p "$build/fuzz-corpus"
if [ $# -ge 2 ]; then
	exec python3 "$top/tests/fuzz/fuzz.py" --build-root "$build" \
		--seconds "$seconds" --corpus "$build/fuzz-corpus" "$2"
fi
exec python3 "$top/tests/fuzz/fuzz.py" --build-root "$build" \
	--seconds "$seconds" --corpus "$build/fuzz-corpus"
