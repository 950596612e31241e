#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The demo: generate a trace with malformed packets, run adn-nf on
# configs/default.cfg through DPDK's pcap PMD (no NIC, no hugepages), and
# say what happened.
#
#   tools/demo.sh [BUILD_DIR]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
out=$build/demo
mkdir -p "$out"

echo "== 1. trace: 20000 packets over 2000 flows, Zipf 0.9, 5% malformed"
"$build/tools/adn-tracegen" -o "$out/trace.pcap" -n 20000 -f 2000 -a 0.9 \
	-b 0.05 -s 64-1514 -r 42 -j "$out/manifest.json"

echo
echo "== 2. adn-nf -c configs/default.cfg (CheckIPv4 -> Classifier -> Counters -> ToPort)"
# One EAL prefix for every run, without memory files (--no-shconf): runs
# leave nothing behind in DPDK's runtime directory but that one directory.
ADN_IN=$out/trace.pcap ADN_OUT=$out/out.pcap \
	"$build/apps/adn-nf" -c "$top/configs/default.cfg" --idle-exit 1 \
	--stats-json "$out/stats.json" -- \
	--no-huge -m 512 --no-pci --no-shconf --file-prefix adn-demo \
	--log-level "lib.eal:warning" --log-level "lib.telemetry:warning"

echo
echo "== 3. what happened"
python3 - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]
st = json.load(open(os.path.join(d, "stats.json")))
mf = json.load(open(os.path.join(d, "manifest.json")))
el = st["elements"]
print("packets in:        %d" % st["received"])
for i, cls in enumerate(("tcp", "udp", "other")):
    print("  class %-6s     %6d  (generated %d)" %
          (cls, el["cls"]["out"][i], mf["valid"][cls]))
print("dropped by CheckIPv4, per reason:")
for reason, n in sorted(el["check"]["drops"].items()):
    print("  %-16s %6d  (generated %d)" % (reason, n, mf["malformed"][reason]))
print("packets out:       %d  -> %s" % (st["transmitted"],
                                        os.path.join(d, "out.pcap")))
ok = (st["received"] == st["transmitted"] + st["dropped"] and
      el["check"]["drops"] == {k: v for k, v in mf["malformed"].items() if v} and
      el["cls"]["out"] == [mf["valid"][c] for c in ("tcp", "udp", "other")])
print("every packet accounted for and every count as generated: %s" %
      ("yes" if ok else "NO"))
sys.exit(0 if ok else 1)
PY
