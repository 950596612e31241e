#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Set up, build and run the whole test suite: CUnit suites, pcap and
# multi-process integration runs, RTL testbenches, the fuzz harnesses for
# 20 s each (in their own clang build), a 30 s soak; then the same C tests
# again in an ASan+UBSan build (RTL benches, fuzzing and the shared-DPDK
# build excluded: nothing more to sanitize; the soak too: ASan's
# quarantine grows RSS by design).
#
#   tools/test.sh [BUILD_DIR]     (default build-test; sanitizer build in
#                                  BUILD_DIR-san)
#
# The tests run a debugoptimized build (assertions on); tools/setup.sh's
# `build` is the release build operators run.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-test}
san=$build-san
"$top/tools/setup.sh" "$build" debugoptimized
cd "$top"

status=0
meson test -C "$build" --print-errorlogs --num-processes 2 || status=1

if [ -f "$san/build.ninja" ]; then
	meson setup --reconfigure "$san" >/dev/null
else
	meson setup "$san" -Db_sanitize=address,undefined -Db_lundef=false \
		>/dev/null
fi
ninja -C "$san" || status=1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C "$san" --print-errorlogs --num-processes 2 \
	--no-suite rtl --no-suite fuzz --no-suite soak \
	--no-suite shared-dpdk || status=1

# One closing line any CI reader understands, from meson's own logs.
python3 - "$build/meson-logs/testlog.json" "$san/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for log in sys.argv[1:]:
    try:
        lines = open(log).readlines()
    except OSError:
        print("no test log %s: the build failed" % log)
        failed += 1
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
PY
exit $status
