#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install everything adn-nf needs to build, run the demo and run the tests
# (clang and its libFuzzer runtime for the fuzz suite, Graphviz and tcpdump
# for the operator-tool tests) on Debian 12, then configure and build.
# Idempotent; run as root.
#
#   tools/setup.sh [BUILD_DIR [BUILDTYPE]]   (default: build release)
#
# `build` is what operators and benchmarks run: meson's release build
# (-O3, NDEBUG: no assertions on the data path). tools/test.sh builds the
# tests in build-test with debugoptimized (-O2, assertions on).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
buildtype=${2:-release}

packages="build-essential pkg-config meson ninja-build python3
	libdpdk-dev dpdk dpdk-dev libhyperscan-dev libjemalloc-dev
	libconfig-dev zlib1g-dev libzstd-dev libcunit1-dev libpcap-dev
	iverilog verilator clang libclang-rt-14-dev graphviz tcpdump"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing packages:$missing (run as root)" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
fi

cd "$top"
if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$build" >/dev/null
	meson configure "$build" -Dbuildtype="$buildtype" >/dev/null
else
	meson setup "$build" -Dbuildtype="$buildtype" >/dev/null
fi
ninja -C "$build"
