#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install everything adn-nf needs to build, run the demo and run the tests
# (clang and its libFuzzer runtime for the fuzz suite) on Debian 12, then
# configure the build directory. Idempotent; run as root.
#
#   tools/setup.sh [BUILD_DIR]     (default: build)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}

packages="build-essential pkg-config meson ninja-build python3
	libdpdk-dev dpdk dpdk-dev libhyperscan-dev libjemalloc-dev
	libconfig-dev zlib1g-dev libcunit1-dev libpcap-dev tcpdump
	iverilog verilator clang libclang-rt-14-dev"

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
else
	meson setup "$build" >/dev/null
fi
ninja -C "$build"
