#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Set up, build and run the whole test suite (CUnit suites, pcap and
# multi-process integration runs, RTL testbenches).
#
#   tools/test.sh [BUILD_DIR]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
"$top/tools/setup.sh" "$build"
cd "$top"
status=0
meson test -C "$build" --print-errorlogs --num-processes 2 || status=$?
# One closing line any CI reader understands, from meson's own log.
python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
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
