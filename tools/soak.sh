#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Soak adn-nf under plan swaps, reloads, route changes and memif peer
# restarts while it forwards a trace with malformed packets
# (tests/integration/soak.py says what is checked).
#
#   tools/soak.sh [MINUTES]      (default 10; BUILD_DIR: default build)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
minutes=${1:-10}
ADN_BUILD_ROOT=$build ADN_SOURCE_ROOT=$top \
	exec python3 "$top/tests/integration/soak.py" "$((minutes * 60))"
